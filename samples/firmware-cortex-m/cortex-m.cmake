# What the Cortex-M toolchain files share: Debian's gcc-arm-none-eabi with
# newlib-nano, bare metal. They set cortex_m_flags (core and FPU) first.
# onnxc_add_model() hands the compiler and these flags to onnxc.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_AR arm-none-eabi-ar CACHE FILEPATH "")
# No operating system to link test programs against.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_C_FLAGS_INIT "${cortex_m_flags} -ffunction-sections -fdata-sections")
# The C++ here is the compiled models': freestanding, and single precision
# throughout (a double would be soft-float on these FPUs, or slow).
set(CMAKE_CXX_FLAGS_INIT
    "${cortex_m_flags} -ffunction-sections -fdata-sections -ffreestanding -Werror=double-promotion")
# newlib's objects lack the GNU-stack note, which means nothing without an OS.
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "--specs=nano.specs --specs=nosys.specs -nostartfiles -Wl,--gc-sections -Wl,--no-warn-execstack")
