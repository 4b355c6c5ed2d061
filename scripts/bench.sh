#!/usr/bin/env bash
# Build a Release tree (build-release/) if needed and run the benchmark, writing the Markdown
# table to bench/results/latest.md. Arguments are passed to hftipc_bench (try --help), e.g.
#
#   scripts/bench.sh            the full run, under a minute
#   scripts/bench.sh --quick    about 10 seconds
#
# This is the C-only runner; scripts/bench-all.sh runs the C, Go and Java benchmarks together and
# writes bench/results/report.md with charts (see docs/BENCHMARKS.md).
#
# For stable figures, run it on an otherwise idle machine: the benchmark pins its two
# processes to two CPUs, and anything else running there shows up in the numbers.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HFTIPC_BUILD_DIR:-$root/build-release}"
out="${HFTIPC_BENCH_OUT:-$root/bench/results/latest.md}"

if [[ -f "$root/scripts/install-deps.sh" ]]; then
    bash "$root/scripts/install-deps.sh"
fi

if [[ ! -f "$build/CMakeCache.txt" ]]; then
    echo "bench.sh: configuring a Release build in $build" >&2
    generator=()
    command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
    cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DHFTIPC_BUILD_TESTS=OFF >/dev/null
fi
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")"
if [[ "$build_type" != "Release" ]]; then
    echo "bench.sh: warning: $build is a '$build_type' build, not Release" >&2
fi
echo "bench.sh: building hftipc_bench" >&2
cmake --build "$build" --target hftipc_bench >/dev/null

mkdir -p "$(dirname "$out")"
"$build/bench/hftipc_bench" --markdown "$out" "$@"
echo "bench.sh: wrote $out" >&2
