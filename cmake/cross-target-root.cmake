# Included by the cross toolchain files (toolchain-mingw.cmake, toolchain-zig.cmake) after they
# set _target_root (the target's system root, may be empty), _target_prefix (libraries built for
# the target, such as cmocka from scripts/install-deps.sh; may be empty) and _no_pkgconfig (the
# pkg-config directory to search when there is no prefix). Libraries, headers and packages come
# from the target's directories only; programs (bash, python3) from this machine. pkg-config
# looks only at the target's .pc files: the build machine's describe Linux libraries.
set(CMAKE_FIND_ROOT_PATH ${_target_root} ${_target_prefix})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
if(_target_prefix)
  set(ENV{PKG_CONFIG_LIBDIR} "${_target_prefix}/lib/pkgconfig")
else()
  set(ENV{PKG_CONFIG_LIBDIR} "${_no_pkgconfig}")
endif()
set(ENV{PKG_CONFIG_PATH} "")
