/* Runs one compiled model on its reference input, prints the outputs and
   their largest error through semihosting, and exits 0 only when every
   output matches the reference (ONNX Runtime's) within float tolerance.

   Built per model with -DMODEL=<prefix> -DMODEL_UPPER=<PREFIX>
   -DMODEL_HEADER="<prefix>.h" -DREFERENCE_HEADER="<prefix>_reference.h";
   -DCORRUPT_INPUT changes one input value, to see the check fail. */
#include <math.h>
#include <stdalign.h>
#include <stdint.h>

#include MODEL_HEADER
#include REFERENCE_HEADER
#include "semihosting.h"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

static alignas(64) unsigned char arena[CAT(MODEL_UPPER, _ARENA_BYTES) + 1];
static float input[REFERENCE_INPUT_ELEMENTS];
static float output[REFERENCE_OUTPUT_ELEMENTS];

/* SysTick counts processor clocks down from 2^24; the handler counts wraps. */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)
static volatile uint32_t systick_wraps;
void SysTick_Handler(void) { ++systick_wraps; }

static uint64_t ticks(void) {
  uint32_t wraps, value;
  do {
    wraps = systick_wraps;
    value = SYST_CVR;
  } while (wraps != systick_wraps);
  return ((uint64_t)wraps << 24) + (0xFFFFFFu - value);
}

/* The stack's low-water mark: paint the unused stack, later find the
   deepest word overwritten. */
extern uint32_t _sstack[], _estack[];
#define STACK_PAINT 0xC5AC5AC5u

static void paint_stack(void) {
  uint32_t *sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t *p = _sstack; p < sp - 16; ++p)
    *p = STACK_PAINT;
}

static uint32_t stack_used(void) {
  uint32_t *p = _sstack;
  while (p < _estack && *p == STACK_PAINT)
    ++p;
  return (uint32_t)((char *)_estack - (char *)p);
}

/* Appends text to a line buffer. */
static char *put(char *p, const char *text) {
  while (*text)
    *p++ = *text++;
  return p;
}

static char *put_uint(char *p, uint64_t v) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n)
    *p++ = digits[--n];
  return p;
}

/* v with six decimals, without printf's float support (and its flash). */
static char *put_float(char *p, float v) {
  if (isnan(v))
    return put(p, "nan");
  if (v < 0.0f) {
    *p++ = '-';
    v = -v;
  }
  if (v >= 1e9f)
    return put(p, "inf-ish");
  uint64_t micro = (uint64_t)(v * 1e6f + 0.5f);
  p = put_uint(p, micro / 1000000u);
  *p++ = '.';
  char frac[6];
  uint32_t f = (uint32_t)(micro % 1000000u);
  for (int i = 5; i >= 0; --i, f /= 10)
    frac[i] = (char)('0' + f % 10);
  for (int i = 0; i < 6; ++i)
    *p++ = frac[i];
  return p;
}

int main(void) {
  for (int i = 0; i < REFERENCE_INPUT_ELEMENTS; ++i)
    input[i] = reference_input[i];
#ifdef CORRUPT_INPUT
  input[REFERENCE_INPUT_ELEMENTS / 2] += 1.0f;
#endif
  const void *inputs[1] = {input};
  void *outputs[1] = {output};

  paint_stack();
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 7u; /* processor clock, interrupt on wrap, enabled */
  while (SYST_CVR == 0) /* until the first reload from RVR */
    ;
  uint64_t start = ticks();
  int status = CAT(MODEL, _run_generic)(inputs, outputs, arena);
  uint64_t elapsed = ticks() - start;
  SYST_CSR = 0;
  if (status != 0) {
    semihosting_write("FAIL: the model returned an error\n");
    return 1;
  }

  char line[160];
  float worst = 0.0f;
  int bad = 0;
  for (int i = 0; i < REFERENCE_OUTPUT_ELEMENTS; ++i) {
    float got = output[i], want = reference_output[i];
    float err = fabsf(got - want);
    if (!(err <= 1e-5f + 1e-3f * fabsf(want)))
      ++bad;
    if (!(err <= worst))
      worst = err;
    char *p = put(line, "output[");
    p = put_uint(p, (uint64_t)i);
    p = put(p, "] = ");
    p = put_float(p, got);
    p = put(p, "  reference ");
    p = put_float(p, want);
    p = put(p, "\n");
    *p = 0;
    semihosting_write(line);
  }
  char *p = put(line, "systick clocks per inference: ");
  p = put_uint(p, elapsed);
  p = put(p, "\nstack used: ");
  p = put_uint(p, stack_used());
  p = put(p, " bytes; arena: ");
  p = put_uint(p, CAT(MODEL_UPPER, _ARENA_BYTES));
  p = put(p, " bytes");
  p = put(p, "\nlargest error: ");
  p = put_float(p, worst);
  p = put(p, bad ? "\nMISMATCH: outputs differ from the reference\n"
                 : "\nPASS: every output matches the reference\n");
  *p = 0;
  semihosting_write(line);
  return bad ? 1 : 0;
}
