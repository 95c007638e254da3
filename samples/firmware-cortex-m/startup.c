/* Cortex-M startup: the vector table, then Reset_Handler sets up .data and
   .bss, turns the FPU on and runs main; its status ends the QEMU run. */
#include <stdint.h>

#include "semihosting.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];
extern int main(void);
void SysTick_Handler(void);

void Reset_Handler(void) {
  for (uint32_t *src = _sidata, *dst = _sdata; dst < _edata;)
    *dst++ = *src++;
  for (uint32_t *dst = _sbss; dst < _ebss;)
    *dst++ = 0;
  /* Full access to coprocessors 10 and 11 (the FPU) before any float. */
  *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
  __asm volatile("dsb\n\tisb" ::: "memory");
  semihosting_exit(main());
}

static void Fault_Handler(void) {
  semihosting_write("fault: the firmware stopped on an exception\n");
  semihosting_exit(2);
}

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))_estack, Reset_Handler, Fault_Handler, Fault_Handler, /* NMI, HardFault */
    Fault_Handler, Fault_Handler, Fault_Handler, 0, 0, 0, 0,            /* MemManage, Bus, Usage */
    Fault_Handler, Fault_Handler, 0, Fault_Handler, SysTick_Handler,    /* SVC, Debug, PendSV */
};
