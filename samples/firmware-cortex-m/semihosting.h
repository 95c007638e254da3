/* Output and exit through Arm semihosting (QEMU's -semihosting). */
#ifndef FIRMWARE_SEMIHOSTING_H
#define FIRMWARE_SEMIHOSTING_H

void semihosting_write(const char *text);
/* Ends the run: QEMU exits 0 for status 0, 1 otherwise. */
__attribute__((noreturn)) void semihosting_exit(int status);

#endif
