#!/usr/bin/env bash
# Build the release preset (build-release/) if needed and run the benchmark, writing the Markdown
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
# shellcheck source=lib/preset.sh
source "$root/scripts/lib/preset.sh"
build="${HFTIPC_BUILD_DIR:-$(preset_dir release)}"
out="${HFTIPC_BENCH_OUT:-$root/bench/results/latest.md}"

if [[ -f "$root/scripts/install-deps.sh" ]]; then
    bash "$root/scripts/install-deps.sh"
fi

echo "bench.sh: configuring the release preset ($build)" >&2
preset_configure release "${HFTIPC_BUILD_DIR:-}"
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")"
if [[ "$build_type" != "Release" ]]; then
    echo "bench.sh: warning: $build is a '$build_type' build, not Release" >&2
fi
echo "bench.sh: building hftipc_bench" >&2
preset_build "$build" hftipc_bench

mkdir -p "$(dirname "$out")"
"$build/bench/hftipc_bench" --markdown "$out" "$@"
echo "bench.sh: wrote $out" >&2
