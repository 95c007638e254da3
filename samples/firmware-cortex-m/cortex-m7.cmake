# Toolchain file: Cortex-M7 (double-precision FPU), as on QEMU's mps2-an500.
set(cortex_m_flags "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16")
include(${CMAKE_CURRENT_LIST_DIR}/cortex-m.cmake)
