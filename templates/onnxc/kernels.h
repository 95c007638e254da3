// Every kernel template generated code may call.
#ifndef ONNXC_TEMPLATES_KERNELS_H
#define ONNXC_TEMPLATES_KERNELS_H

#include "onnxc/conv.h"
#include "onnxc/elementwise.h"
#include "onnxc/gemm.h"
#include "onnxc/loss.h"
#include "onnxc/reduce.h"
#include "onnxc/resize.h"
#include "onnxc/rnn.h"
#include "onnxc/tensor.h"

#endif
