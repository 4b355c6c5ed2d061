#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 30)
# New interesting inputs go to a scratch corpus, not into the committed seeds. A crash leaves
# its reproducer in build-fuzz/artifacts/ and fails the run: turn it into a regression test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-30}"
bash "$root/scripts/install-deps.sh" --fuzz
build="$root/build-fuzz"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  CC=clang cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHFTIPC_FUZZ=ON \
    -DHFTIPC_BUILD_TESTS=OFF -DHFTIPC_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$build" --target fuzz_header fuzz_consumer >/dev/null
mkdir -p "$build/artifacts"
status=0
for target in header consumer; do
  scratch=$(mktemp -d)
  echo "fuzz_$target: ${seconds}s"
  if ! (cd "$build/artifacts" && "$build/core/fuzz/fuzz_$target" -max_total_time="$seconds" \
        -max_len=8192 -print_final_stats=0 "$scratch" "$root/core/fuzz/corpus/$target" \
        >"$build/fuzz_$target.log" 2>&1); then
    echo "fuzz_$target: FAILED (see $build/fuzz_$target.log, reproducer in $build/artifacts)"
    tail -n 30 "$build/fuzz_$target.log"
    status=1
  else
    grep -E '^Done [0-9]+ runs' "$build/fuzz_$target.log" | sed "s/^/fuzz_$target: /"
  fi
  rm -rf "$scratch"
done
exit $status
