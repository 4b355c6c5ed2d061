#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (the `fuzz` preset, build-fuzz/) and runs each for a
# bounded time.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 30)
# New interesting inputs go to a scratch corpus, not into the committed seeds. A crash leaves
# its reproducer in build-fuzz/artifacts/ and fails the run: turn it into a regression test.
# A configure or build that fails prints the command and the last 40 lines of its output (the
# whole of it stays in build-fuzz/build.log).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-30}"
bash "$root/scripts/install-deps.sh" --fuzz
build="$root/build-fuzz"
mkdir -p "$build"
log="$build/build.log"
: >"$log"
# built CMD...: run a build command with its output in $log; on failure show why.
built() {
  echo "+ $*" >>"$log"
  "$@" >>"$log" 2>&1 && return 0
  echo "fuzz.sh: FAILED: $*" >&2
  echo "fuzz.sh: last 40 lines of its output (all of it: $log):" >&2
  tail -n 40 "$log" | sed 's/^/    | /' >&2
  return 1
}
built cmake --preset fuzz
built cmake --build --preset fuzz
mkdir -p "$build/artifacts"
status=0
for target in header consumer; do
  scratch=$(mktemp -d)
  echo "fuzz_$target: ${seconds}s"
  cmd=("$build/core/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=8192 -print_final_stats=0
    "$scratch" "$root/core/fuzz/corpus/$target")
  if ! (cd "$build/artifacts" && "${cmd[@]}" >"$build/fuzz_$target.log" 2>&1); then
    echo "fuzz_$target: FAILED: (cd $build/artifacts && ${cmd[*]})"
    echo "fuzz_$target: reproducer in $build/artifacts; last 40 lines of $build/fuzz_$target.log:"
    tail -n 40 "$build/fuzz_$target.log" | sed 's/^/    | /'
    status=1
  else
    grep -E '^Done [0-9]+ runs' "$build/fuzz_$target.log" | sed "s/^/fuzz_$target: /"
  fi
  rm -rf "$scratch"
done
exit $status
