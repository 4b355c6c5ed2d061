#!/usr/bin/env bash
# Installs the library into a temporary prefix, moves the prefix (the package files must be
# relocatable), then builds and runs programs against it with find_package and with pkg-config,
# as C and as C++.
#   check_installed.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1" here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/staged" >/dev/null
mv "$work/staged" "$work/prefix" # relocated after install
prefix="$work/prefix"
libdir=$(dirname "$(find "$prefix" -name 'libhftipc.so' | head -n1)")
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

echo "-- find_package(hftipc)"
cmake -S "$here" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
for exe in consumer_c consumer_cxx consumer_c_static; do
  "$work/cmake-build/$exe" "$work"
done

echo "-- pkg-config"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc -std=c99 -Wall -Wextra -Werror $(pkg-config --cflags hftipc) "$here/consumer.c" \
  $(pkg-config --libs hftipc) -o "$work/pc_c"
c++ -std=c++11 -Wall -Wextra -Werror -pedantic $(pkg-config --cflags hftipc) "$here/consumer.cpp" \
  $(pkg-config --libs hftipc) -o "$work/pc_cxx"
"$work/pc_c" "$work"
"$work/pc_cxx" "$work"
echo "installed library: 5 consumers built and ran"
