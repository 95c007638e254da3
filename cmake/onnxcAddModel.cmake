# onnxc_add_model(): compile an ONNX model into a static library target.
#
#   onnxc_add_model(<target> MODEL <file.onnx>
#                   [NAME <prefix>] [SHAPES <input>=<DxDx...> ...]
#                   [TARGET cpu|cuda] [THREADS <n>] [CPU <cpu>]
#                   [OPTIONS <more onnxc options> ...])
#
# adds a custom command that runs onnxc (again whenever the model or onnxc
# changes) and an imported static library <target> whose include
# directories hold the generated <prefix>.h. Link it like any library:
#
#   target_link_libraries(app PRIVATE <target>)
#
# NAME is the prefix of the generated symbols and header (default: <target>
# made a C identifier), so several models link into one program. The
# library is compiled with this project's C++ compiler, archiver and
# CMAKE_CXX_FLAGS (plus the toolchain's sysroot and target, when
# cross-compiling), for CPU (default: native, or generic when
# cross-compiling). THREADS > 1 links the threads library.
include_guard(GLOBAL)

function(onnxc_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "MODEL;NAME;TARGET;THREADS;CPU" "SHAPES;OPTIONS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "onnxc_add_model(${target}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "onnxc_add_model(${target}): MODEL <file.onnx> is required")
  endif()
  if(NOT TARGET onnxc::onnxc)
    message(FATAL_ERROR "onnxc_add_model(${target}): no onnxc::onnxc executable; "
                        "use find_package(onnxc) or add_subdirectory() of onnxc's source tree")
  endif()
  get_filename_component(model "${ARG_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${model}")
    message(FATAL_ERROR "onnxc_add_model(${target}): MODEL ${model} does not exist")
  endif()
  if(NOT ARG_NAME)
    string(MAKE_C_IDENTIFIER "${target}" ARG_NAME)
  endif()
  if(NOT ARG_TARGET)
    set(ARG_TARGET cpu)
  endif()
  if(NOT ARG_THREADS)
    set(ARG_THREADS 1)
  endif()
  if(NOT ARG_CPU)
    if(CMAKE_CROSSCOMPILING)
      set(ARG_CPU generic)
    else()
      set(ARG_CPU native)
    endif()
  endif()

  # The compiler flags of this build, with what a toolchain file sets apart.
  set(flags "${CMAKE_CXX_FLAGS}")
  if(CMAKE_SYSROOT)
    string(APPEND flags " --sysroot=${CMAKE_SYSROOT}")
  endif()
  if(CMAKE_CXX_COMPILER_TARGET)
    string(APPEND flags " --target=${CMAKE_CXX_COMPILER_TARGET}")
  endif()
  string(STRIP "${flags}" flags)

  set(dir "${CMAKE_CURRENT_BINARY_DIR}/onnxc/${target}")
  set(lib "${dir}/${CMAKE_STATIC_LIBRARY_PREFIX}${ARG_NAME}${CMAKE_STATIC_LIBRARY_SUFFIX}")
  set(header "${dir}/${ARG_NAME}.h")
  # An imported target's include directories must exist when CMake generates.
  file(MAKE_DIRECTORY "${dir}")

  set(args "${model}" -o "${lib}" --name "${ARG_NAME}" "--target=${ARG_TARGET}"
           --threads "${ARG_THREADS}" "--cpu=${ARG_CPU}"
           --cxx "${CMAKE_CXX_COMPILER}" --ar "${CMAKE_AR}")
  if(flags)
    list(APPEND args --cxxflags "${flags}")
  endif()
  foreach(shape IN LISTS ARG_SHAPES)
    list(APPEND args --shape "${shape}")
  endforeach()
  list(APPEND args ${ARG_OPTIONS})

  add_custom_command(OUTPUT "${lib}" "${header}"
    COMMAND onnxc::onnxc ${args}
    DEPENDS "${model}" onnxc::onnxc
    COMMENT "onnxc: compiling ${ARG_MODEL} into ${ARG_NAME}"
    VERBATIM)
  add_custom_target(${target}_onnxc DEPENDS "${lib}" "${header}")
  # Built from onnxc's own source tree: the kernel headers are gathered
  # into its build folder first.
  if(TARGET onnxc-headers)
    add_dependencies(${target}_onnxc onnxc-headers)
  endif()

  add_library(${target} STATIC IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${lib}"
    INTERFACE_INCLUDE_DIRECTORIES "${dir}")
  add_dependencies(${target} ${target}_onnxc)
  # The generated code calls libm (expf, tanhf, ...) where the platform
  # keeps it apart, and the thread pool with THREADS > 1.
  if(UNIX OR CMAKE_SYSTEM_NAME STREQUAL "Generic")
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_LINK_LIBRARIES m)
  endif()
  if(ARG_THREADS GREATER 1)
    find_package(Threads REQUIRED)
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_LINK_LIBRARIES Threads::Threads)
  endif()
endfunction()
