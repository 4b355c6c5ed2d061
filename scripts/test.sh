#!/usr/bin/env bash
# Runs every test of the project, from a fresh clone, installing what is missing first:
#   1. clang-format check of the C sources
#   2. the C core's cmocka suite in three builds: RelWithDebInfo with -Werror, ASan+UBSan, TSan
#   3. the Go binding (vet, tests, race detector, amalgamation drift check)
#   4. the Java binding (SWIG/JNI build, JUnit 5 through Maven)
#   5. the cross-language interop suite (writer x reader matrix, byte-identical files, golden
#      files of format 1.0, crash handovers between languages)
#   6. a smoke run of the demo pipeline (20,000 quotes through Go, C and Java)
#   7. the samples' smoke tests (samples/*/smoke.sh: market data, logger, plugin, ...)
#   8. the libFuzzer targets, 60 s each (header validator, consumer over a hostile mapping)
# Every step runs even if an earlier one failed; the exit status is non-zero if any failed.
#   scripts/test.sh [--only c|go|java|format|demo|samples|interop|fuzz]
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
only="${2:-}"
if [[ "${1:-}" == "--only" && -z "$only" ]]; then
  echo "usage: scripts/test.sh [--only c|go|java|format|demo|samples|interop|fuzz]" >&2
  exit 2
fi
want() { [[ -z "$only" || "$only" == "$1" ]]; }

bash scripts/install-deps.sh --java --fuzz || { echo "test.sh: installing dependencies failed" >&2; exit 1; }
if [[ -z "${JAVA_HOME:-}" ]] && command -v javac >/dev/null 2>&1; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
  export JAVA_HOME
fi

passed=0
failed=0
failures=()
step() {
  local name="$1"
  shift
  echo
  echo "==> $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "==> $name: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "==> $name: FAILED ($((SECONDS - start)) s)"
  fi
}

c_sources() {
  git ls-files '*.c' '*.h' | grep -v '^bindings/go/hftipc_amalgamation.c$' | grep -v '^bindings/go/hftipc.h$'
}
format_check() {
  c_sources | xargs clang-format --dry-run --Werror
}

c_suite() {
  local preset="$1"
  cmake --preset "$preset" >/dev/null &&
    cmake --build --preset "$preset" &&
    ctest --preset "$preset" -j2
}

want format && step "clang-format" format_check
want c && step "C core (RelWithDebInfo, -Werror)" c_suite default
want c && step "C core (ASan+UBSan)" c_suite asan
want c && step "C core (TSan)" c_suite tsan
want go && step "Go binding" bash bindings/go/test.sh
want java && step "Java binding" bash bindings/java/test.sh
want interop && step "Interop (C/Go/Java matrix, identical layouts, golden files)" bash interop-tests/run.sh
want demo && step "Demo smoke (Go gateway -> C engine -> JVM service)" bash demo/smoke.sh
want samples && step "Samples (market data, logger, plugin: samples/*/smoke.sh)" bash samples/smoke.sh
want fuzz && step "Fuzzing (60 s per target)" bash scripts/fuzz.sh 60

echo
if [[ $failed -ne 0 ]]; then
  printf 'failed step: %s\n' "${failures[@]}"
fi
echo "test.sh: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
