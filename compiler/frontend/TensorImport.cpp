//===- TensorImport.cpp - ONNX TensorProto/TypeProto to MLIR -------------===//
#include "compiler/frontend/TensorImport.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;
using TP = ::onnx::TensorProto;

Type onnxc::convertElementType(MLIRContext &context, int dataType,
                               std::string &error) {
  Builder b(&context);
  switch (dataType) {
  case TP::FLOAT: return b.getF32Type();
  case TP::DOUBLE: return b.getF64Type();
  case TP::FLOAT16: return b.getF16Type();
  case TP::BFLOAT16: return b.getBF16Type();
  case TP::INT8: return b.getIntegerType(8);
  case TP::INT16: return b.getIntegerType(16);
  case TP::INT32: return b.getIntegerType(32);
  case TP::INT64: return b.getIntegerType(64);
  case TP::UINT8: return b.getIntegerType(8, /*isSigned=*/false);
  case TP::UINT16: return b.getIntegerType(16, false);
  case TP::UINT32: return b.getIntegerType(32, false);
  case TP::UINT64: return b.getIntegerType(64, false);
  case TP::BOOL: return b.getI1Type();
  case TP::STRING:
    error = "string tensors are not supported";
    return nullptr;
  case TP::COMPLEX64:
  case TP::COMPLEX128:
    error = "complex tensors are not supported";
    return nullptr;
  case TP::UNDEFINED:
    error = "tensor element type is undefined";
    return nullptr;
  default:
    error = "unknown tensor element type " + std::to_string(dataType);
    return nullptr;
  }
}

std::string onnxc::dataTypeName(int dataType) {
  if (::onnx::TensorProto_DataType_IsValid(dataType))
    return llvm::StringRef(::onnx::TensorProto_DataType_Name(
                               static_cast<TP::DataType>(dataType)))
        .lower();
  return "type" + std::to_string(dataType);
}

/// Size in bytes of one element as stored in raw_data.
static int rawElementBytes(int dataType) {
  switch (dataType) {
  case TP::FLOAT: case TP::INT32: case TP::UINT32: return 4;
  case TP::DOUBLE: case TP::INT64: case TP::UINT64: return 8;
  case TP::FLOAT16: case TP::BFLOAT16: case TP::INT16: case TP::UINT16:
    return 2;
  case TP::INT8: case TP::UINT8: case TP::BOOL: return 1;
  default: return 0;
  }
}

/// Reads the bytes an external-data tensor points at, refusing any location
/// that leaves the model's folder.
static FailureOr<std::string> readExternalData(const TP &tensor,
                                               llvm::StringRef modelDir,
                                               std::string &error) {
  std::string location;
  uint64_t offset = 0, length = 0;
  bool hasLength = false;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset")
      offset = std::strtoull(entry.value().c_str(), nullptr, 10);
    else if (entry.key() == "length") {
      length = std::strtoull(entry.value().c_str(), nullptr, 10);
      hasLength = true;
    }
  }
  if (location.empty()) {
    error = "tensor \"" + tensor.name() + "\" has external data without a location";
    return failure();
  }
  if (llvm::sys::path::is_absolute(location) ||
      llvm::StringRef(location).contains("..")) {
    error = "tensor \"" + tensor.name() + "\": external data location \"" +
            location + "\" is outside the model's folder";
    return failure();
  }
  llvm::SmallString<256> path(modelDir);
  llvm::sys::path::append(path, location);
  llvm::SmallString<256> realDir, realFile;
  if (llvm::sys::fs::real_path(modelDir, realDir) ||
      llvm::sys::fs::real_path(path, realFile)) {
    error = "tensor \"" + tensor.name() + "\": cannot open external data file \"" +
            std::string(path) + "\"";
    return failure();
  }
  if (!llvm::StringRef(realFile).starts_with(std::string(realDir) + "/")) {
    error = "tensor \"" + tensor.name() + "\": external data file \"" +
            location + "\" resolves outside the model's folder";
    return failure();
  }
  auto buffer = llvm::MemoryBuffer::getFile(realFile, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = "tensor \"" + tensor.name() + "\": cannot read external data file \"" +
            location + "\"";
    return failure();
  }
  uint64_t fileSize = (*buffer)->getBufferSize();
  if (!hasLength)
    length = fileSize >= offset ? fileSize - offset : 0;
  if (offset > fileSize || length > fileSize - offset) {
    error = "tensor \"" + tensor.name() + "\": external data range [" +
            std::to_string(offset) + ", +" + std::to_string(length) +
            ") is past the end of \"" + location + "\"";
    return failure();
  }
  return std::string((*buffer)->getBufferStart() + offset, length);
}

FailureOr<DenseElementsAttr>
onnxc::convertTensor(MLIRContext &context, const TP &tensor,
                     llvm::StringRef modelDir, std::string &error) {
  std::string name = tensor.name().empty() ? "" : "\"" + tensor.name() + "\" ";
  Type elementType = convertElementType(context, tensor.data_type(), error);
  if (!elementType) {
    error = "tensor " + name + ": " + error;
    return failure();
  }
  SmallVector<int64_t> shape;
  uint64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0) {
      error = "tensor " + name + "has a negative dimension";
      return failure();
    }
    shape.push_back(dim);
    if (dim != 0 && count > kMaxTensorBytes / uint64_t(dim)) {
      error = "tensor " + name + "is too large";
      return failure();
    }
    count *= uint64_t(dim);
  }
  int elemBytes = rawElementBytes(tensor.data_type());
  if (count * elemBytes > kMaxTensorBytes) {
    error = "tensor " + name + "is too large";
    return failure();
  }
  auto type = RankedTensorType::get(shape, elementType);

  // Raw bytes, from raw_data or an external file.
  std::string external;
  const std::string *raw = nullptr;
  if (tensor.data_location() == TP::EXTERNAL) {
    auto data = readExternalData(tensor, modelDir, error);
    if (failed(data))
      return failure();
    external = std::move(*data);
    raw = &external;
  } else if (tensor.has_raw_data()) {
    raw = &tensor.raw_data();
  }

  auto mismatch = [&](uint64_t have) {
    error = "tensor " + name + "has " + std::to_string(have) +
            " elements of data but its shape holds " + std::to_string(count);
    return failure();
  };

  if (raw) {
    if (raw->size() != count * elemBytes)
      return mismatch(raw->size() / std::max(elemBytes, 1));
    if (tensor.data_type() == TP::BOOL) {
      SmallVector<bool> values(count);
      for (uint64_t i = 0; i < count; ++i)
        values[i] = (*raw)[i] != 0;
      return DenseElementsAttr::get(type, ArrayRef<bool>(values));
    }
    return DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(raw->data(), raw->size()));
  }

  // Typed fields.
  switch (tensor.data_type()) {
  case TP::FLOAT:
    if (uint64_t(tensor.float_data_size()) != count)
      return mismatch(tensor.float_data_size());
    return DenseElementsAttr::get(
        type, ArrayRef<float>(tensor.float_data().data(), count));
  case TP::DOUBLE:
    if (uint64_t(tensor.double_data_size()) != count)
      return mismatch(tensor.double_data_size());
    return DenseElementsAttr::get(
        type, ArrayRef<double>(tensor.double_data().data(), count));
  case TP::INT64:
    if (uint64_t(tensor.int64_data_size()) != count)
      return mismatch(tensor.int64_data_size());
    return DenseElementsAttr::get(
        type, ArrayRef<int64_t>(tensor.int64_data().data(), count));
  case TP::UINT32:
  case TP::UINT64: {
    if (uint64_t(tensor.uint64_data_size()) != count)
      return mismatch(tensor.uint64_data_size());
    SmallVector<APInt> values;
    unsigned width = elementType.getIntOrFloatBitWidth();
    for (uint64_t v : tensor.uint64_data())
      values.push_back(APInt(width, v, /*isSigned=*/false, /*implicitTrunc=*/true));
    return DenseElementsAttr::get(type, values);
  }
  case TP::BOOL: {
    if (uint64_t(tensor.int32_data_size()) != count)
      return mismatch(tensor.int32_data_size());
    SmallVector<bool> values;
    for (int32_t v : tensor.int32_data())
      values.push_back(v != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(values));
  }
  case TP::INT8: case TP::INT16: case TP::INT32: case TP::UINT8:
  case TP::UINT16: case TP::FLOAT16: case TP::BFLOAT16: {
    if (uint64_t(tensor.int32_data_size()) != count)
      return mismatch(tensor.int32_data_size());
    unsigned width = elemBytes * 8;
    SmallVector<APInt> bits;
    for (int32_t v : tensor.int32_data())
      bits.push_back(APInt(width, uint64_t(int64_t(v)), /*isSigned=*/false,
                           /*implicitTrunc=*/true));
    if (isa<FloatType>(elementType)) {
      // float16/bfloat16 values are carried as their bit patterns.
      SmallVector<uint16_t> halves;
      for (const APInt &v : bits)
        halves.push_back(uint16_t(v.getZExtValue()));
      return DenseElementsAttr::getFromRawBuffer(
          type, ArrayRef<char>(reinterpret_cast<const char *>(halves.data()),
                               halves.size() * 2));
    }
    return DenseElementsAttr::get(type, bits);
  }
  default:
    error = "tensor " + name + "has an unsupported element type " +
            dataTypeName(tensor.data_type());
    return failure();
  }
}
