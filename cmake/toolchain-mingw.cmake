# Cross-compiling toolchain for Windows x86_64 with Debian's mingw-w64 (gcc-mingw-w64-x86-64),
# used by the `windows` preset (scripts/cross.sh windows runs its programs under Wine) and by
# scripts/install-deps.sh to cross-build cmocka:
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-mingw.cmake ...
# HFTIPC_MINGW_PREFIX (optional, a variable or the environment; scripts/cross.sh sets it) is a
# directory of libraries built for this target (cmocka, from scripts/install-deps.sh --windows,
# at the place scripts/lib/cross-tools.sh names); pkg-config then looks only there, never at the build
# machine's .pc files, which describe Linux libraries.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(_triple x86_64-w64-mingw32)
if(NOT HFTIPC_MINGW_PREFIX AND DEFINED ENV{HFTIPC_MINGW_PREFIX})
  set(HFTIPC_MINGW_PREFIX "$ENV{HFTIPC_MINGW_PREFIX}")
endif()
set(CMAKE_C_COMPILER ${_triple}-gcc)
set(CMAKE_RC_COMPILER ${_triple}-windres)
# Passed on to try_compile projects, which read the toolchain file again.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES HFTIPC_MINGW_PREFIX)
set(_target_root /usr/${_triple})
set(_target_prefix "${HFTIPC_MINGW_PREFIX}")
set(_no_pkgconfig /usr/${_triple}/lib/pkgconfig)
include(${CMAKE_CURRENT_LIST_DIR}/cross-target-root.cmake)
# Programs link the C runtime pieces (libgcc, winpthread) and cmocka statically, so a test or
# the CLI runs under Wine or on Windows with no DLL next to it but the library's own.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
# msvcrt's printf knows neither %zu nor %lld; mingw's own C99 stdio does.
set(CMAKE_C_FLAGS_INIT "-D__USE_MINGW_ANSI_STDIO=1")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc")
