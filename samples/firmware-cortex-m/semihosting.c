#include "semihosting.h"

static int semihosting_call(int op, const void *arg) {
  register int r0 __asm("r0") = op;
  register const void *r1 __asm("r1") = arg;
  __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void semihosting_write(const char *text) { semihosting_call(0x04 /* SYS_WRITE0 */, text); }

void semihosting_exit(int status) {
  /* SYS_EXIT with "application exit" (0x20026) for success, "run-time
     error" (0x20023) otherwise. */
  semihosting_call(0x18, (const void *)(status == 0 ? 0x20026 : 0x20023));
  for (;;) {
  }
}
