# Cross-compiling toolchain for a Debian cross compiler, used by scripts/release.sh to build the
# Java binding's JNI library for the other Linux architecture (the jar carries both):
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-linux-cross.cmake -DHFTIPC_CROSS_TRIPLE=aarch64-linux-gnu ...
# Debian: gcc-aarch64-linux-gnu (or gcc-x86-64-linux-gnu on arm64) with its libc6-dev-*-cross.
if(NOT HFTIPC_CROSS_TRIPLE)
  message(FATAL_ERROR "set HFTIPC_CROSS_TRIPLE, e.g. aarch64-linux-gnu")
endif()
# Passed on to try_compile projects, which read the toolchain file again.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES HFTIPC_CROSS_TRIPLE)
string(REGEX REPLACE "-.*" "" _arch "${HFTIPC_CROSS_TRIPLE}")
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${_arch})
set(CMAKE_C_COMPILER ${HFTIPC_CROSS_TRIPLE}-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/${HFTIPC_CROSS_TRIPLE})
# Programs (swig) from the build machine; libraries and headers from the target's root.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
