# Cross-compiling toolchain for macOS with `zig cc` (clang with the macOS headers and libSystem
# stubs that zig ships), used by the macos-x86_64 and macos-aarch64 presets (scripts/cross.sh
# macos). The programs cannot run here: they are compiled and linked only.
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-zig.cmake -DHFTIPC_ZIG=/path/to/zig \
#         -DHFTIPC_ZIG_TARGET=aarch64-macos [-DHFTIPC_ZIG_PREFIX=DIR] ...
# HFTIPC_ZIG is the zig executable (scripts/install-deps.sh --macos fetches one; scripts/lib/
# cross-tools.sh says where), HFTIPC_ZIG_TARGET a zig target (ARCH-macos), HFTIPC_ZIG_PREFIX
# (optional) a directory of libraries built for that target (cmocka); pkg-config then looks only
# there, never at the build machine's .pc files.
foreach(_v HFTIPC_ZIG HFTIPC_ZIG_TARGET)
  if(NOT ${_v} AND DEFINED ENV{${_v}})
    set(${_v} "$ENV{${_v}}")
  endif()
  if(NOT ${_v})
    message(FATAL_ERROR "set ${_v} (scripts/cross.sh macos does; see cmake/toolchain-zig.cmake)")
  endif()
  # try_compile projects read this file again, and see the environment, not the cache.
  set(ENV{${_v}} "${${_v}}")
endforeach()
if(NOT HFTIPC_ZIG_PREFIX AND DEFINED ENV{HFTIPC_ZIG_PREFIX})
  set(HFTIPC_ZIG_PREFIX "$ENV{HFTIPC_ZIG_PREFIX}")
endif()
set(ENV{HFTIPC_ZIG_PREFIX} "${HFTIPC_ZIG_PREFIX}")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES HFTIPC_ZIG HFTIPC_ZIG_TARGET HFTIPC_ZIG_PREFIX)

string(REGEX REPLACE "-.*" "" _arch "${HFTIPC_ZIG_TARGET}")
if(_arch STREQUAL "aarch64")
  set(_cmake_arch arm64)
else()
  set(_cmake_arch ${_arch})
endif()
set(CMAKE_SYSTEM_NAME Darwin)
set(CMAKE_SYSTEM_PROCESSOR ${_cmake_arch})
# No Xcode here: CMake must not look for an SDK or add -arch/-isysroot of its own; zig's target
# says it all.
set(CMAKE_OSX_SYSROOT "" CACHE PATH "" FORCE)
set(CMAKE_OSX_ARCHITECTURES "" CACHE STRING "" FORCE)

# CMake wants one executable per tool; zig is one executable with subcommands. Small wrappers,
# written next to this build, give it that.
set(_wrappers "${CMAKE_BINARY_DIR}/zig-${HFTIPC_ZIG_TARGET}")
file(MAKE_DIRECTORY "${_wrappers}")
foreach(_tool cc ar ranlib)
  if(_tool STREQUAL "cc")
    set(_cmd "cc -target ${HFTIPC_ZIG_TARGET}")
  else()
    set(_cmd "${_tool}")
  endif()
  file(WRITE "${_wrappers}/${_tool}.tmp" "#!/bin/sh\nexec '${HFTIPC_ZIG}' ${_cmd} \"$@\"\n")
  file(CHMOD "${_wrappers}/${_tool}.tmp" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
       GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  file(RENAME "${_wrappers}/${_tool}.tmp" "${_wrappers}/${_tool}")
endforeach()
set(CMAKE_C_COMPILER "${_wrappers}/cc")
set(CMAKE_AR "${_wrappers}/ar" CACHE FILEPATH "" FORCE)
set(CMAKE_RANLIB "${_wrappers}/ranlib" CACHE FILEPATH "" FORCE)

set(_target_root "")
set(_target_prefix "${HFTIPC_ZIG_PREFIX}")
set(_no_pkgconfig "${_wrappers}/no-pkgconfig")
include(${CMAKE_CURRENT_LIST_DIR}/cross-target-root.cmake)
