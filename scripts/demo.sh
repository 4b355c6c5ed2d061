#!/usr/bin/env bash
# Build (if needed) and run the two-process demo: a producer and a consumer exchange messages
# through a channel file in /dev/shm. Arguments are passed to hftipc_demo (try --help).
#
#   scripts/demo.sh                  5 million 64-byte messages
#   scripts/demo.sh -n 1000000 -s 512 --keep
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HFTIPC_BUILD_DIR:-$root/build-release}"

if [[ -x "$root/scripts/install-deps.sh" || -f "$root/scripts/install-deps.sh" ]]; then
    bash "$root/scripts/install-deps.sh"
fi

if [[ ! -f "$build/CMakeCache.txt" ]]; then
    echo "demo.sh: configuring a Release build in $build" >&2
    generator=()
    command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
    cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DHFTIPC_BUILD_TESTS=OFF >/dev/null
fi
echo "demo.sh: building hftipc_demo" >&2
cmake --build "$build" --target hftipc_demo >/dev/null

exec "$build/examples/hftipc_demo" "$@"
