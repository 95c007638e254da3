# Toolchain file: Cortex-M4F (single-precision FPU), as on QEMU's mps2-an386.
set(cortex_m_flags "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
include(${CMAKE_CURRENT_LIST_DIR}/cortex-m.cmake)
