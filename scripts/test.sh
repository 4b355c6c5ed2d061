#!/usr/bin/env bash
# Runs every test of the project, from a fresh clone, installing what is missing first
# (scripts/install-deps.sh --java --fuzz --windows --macos, which probes each capability and installs by apt):
#   1. clang-format check of the C sources
#   2. the C core's cmocka suite in four builds: RelWithDebInfo with -Werror, ASan+UBSan, TSan,
#      and the generic POSIX platform layer forced on Linux (preset posix)
#   3. the Go binding (vet, tests, race detector, amalgamation drift check)
#   4. the Java binding (SWIG/JNI build, JUnit 5 through Maven), its jar carrying the JNI library
#      of linux-x86_64 and, cross-compiled, linux-aarch64, macos-x86_64, macos-aarch64 and
#      windows-x86_64, each checked for its object format (bindings/java/jar_natives_test.py)
#   5. the cross-language interop suite (writer x reader matrix, byte-identical files, golden
#      files of formats 1.0, 1.1 and 1.2, crash handovers between languages)
#   6. a smoke run of the demo pipeline (20,000 quotes through Go, C and Java)
#   6b. the samples' smoke tests (samples/*/smoke.sh: market data, logger, plugin, orchestrator)
#   7. the libFuzzer targets, 60 s each (header validator, consumer over a hostile mapping)
#   8. the scripts: the installer's probes (scripts/tests/install_deps_test.sh), the one list of
#      core sources that every build reads (scripts/tests/core_sources_test.py), the object
#      format reader of the cross builds' checks (scripts/tests/objformat_test.py) and the versions
#      and names in README, docs/ and scripts against the code (scripts/tests/versions_test.py)
#   9. the release artifacts (scripts/release.sh), each consumed by a new project outside the
#      tree with no network (release-tests/run.sh), and the container images: linted, and built
#      and run where a container engine works (deploy/docker/images.sh test)
#  10. the NATS JetStream bridge (bridge/test.sh: nats-server built from the Go module proxy;
#      C -> bridge -> NATS -> bridge -> Java, 1M messages; kill -9 of each part; R3 cluster)
#  11. the cross builds (scripts/cross.sh): Windows with mingw-w64, its cmocka tests, CLI and a
#      two-process test run under Wine; macOS x86_64 and aarch64 with zig cc, compiled and
#      linked only (nothing can run them here; the output says so); the Go binding with cgo for
#      darwin/amd64, darwin/arm64 (zig cc) and windows/amd64 (mingw-w64): vet, build, a program
#      and the test binary linked (scripts/cross-go.sh)
# Every step runs even if an earlier one failed; the exit status is non-zero if any failed. A
# step's output goes to the terminal and to a log; a step that fails prints the command that
# failed and the last 40 lines of its output. The logs are kept (path printed) when a step fails.
#   scripts/test.sh [--only c|go|java|format|demo|interop|fuzz|scripts|release|bridge|samples|cross]
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
only="${2:-}"
if [[ "${1:-}" == "--only" && -z "$only" ]]; then
  echo "usage: scripts/test.sh [--only c|go|java|format|demo|interop|fuzz|scripts|release|bridge|samples|cross]" >&2
  exit 2
fi
want() { [[ -z "$only" || "$only" == "$1" ]]; }

bash scripts/install-deps.sh --java --fuzz --windows --macos || { echo "test.sh: installing dependencies failed (why: above)" >&2; exit 1; }

logs="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-test-logs.XXXXXX")"
passed=0
failed=0
failures=()
steps=0
# step NAME CMD...: run one step; its output goes to the terminal and to $STEP_LOG. Inside a
# step, `run CMD...` marks CMD as the command to blame if it fails, and `quiet CMD...` does the
# same with the output kept in the log only (for chatty commands such as a CMake configure).
step() {
  local name="$1"
  shift
  steps=$((steps + 1))
  STEP_LOG="$logs/$(printf '%02d' "$steps")-$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '-' | cut -c1-40).log"
  STEP_CMD="$STEP_LOG.cmd"
  export STEP_LOG STEP_CMD
  : >"$STEP_LOG"
  rm -f "$STEP_CMD"
  echo
  echo "==> $name"
  local start=$SECONDS rc
  "$@" 2>&1 | tee -a "$STEP_LOG"
  rc=${PIPESTATUS[0]}
  if [[ $rc -eq 0 ]]; then
    passed=$((passed + 1))
    echo "==> $name: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "==> $name: FAILED ($((SECONDS - start)) s, exit $rc)"
    echo "    failed command: $(cat "$STEP_CMD" 2>/dev/null || printf '%s' "$*")"
    echo "    last 40 lines of its output (all of it: $STEP_LOG):"
    tail -n 40 "$STEP_LOG" | sed 's/^/    | /'
  fi
}
run() {
  "$@" && return 0
  local rc=$?
  printf '%s\n' "$*" >"$STEP_CMD"
  return $rc
}
quiet() { run "$@" >>"$STEP_LOG" 2>&1; }

c_sources() {
  git ls-files '*.c' '*.h' | grep -v '^bindings/go/hftipc_amalgamation.c$' | grep -v '^bindings/go/hftipc.h$'
}
format_check() {
  c_sources | run xargs clang-format --dry-run --Werror
}

c_suite() {
  local preset="$1"
  quiet cmake --preset "$preset" &&
    run cmake --build --preset "$preset" &&
    run ctest --preset "$preset" -j2
}

want format && step "clang-format" format_check
want c && step "C core (RelWithDebInfo, -Werror)" c_suite default
want c && step "C core (ASan+UBSan)" c_suite asan
want c && step "C core (TSan)" c_suite tsan
want c && step "C core (generic POSIX platform layer, forced on Linux)" c_suite posix
want go && step "Go binding" bash bindings/go/test.sh
want java && step "Java binding" bash bindings/java/test.sh
want interop && step "Interop (C/Go/Java matrix, identical layouts, golden files)" bash interop-tests/run.sh
want demo && step "Demo smoke (Go gateway -> C engine -> JVM service)" bash demo/smoke.sh
want samples && step "Samples (market data, logger, plugin, orchestrator: samples/*/smoke.sh)" bash samples/smoke.sh
want fuzz && step "Fuzzing (60 s per target)" bash scripts/fuzz.sh 60
want scripts && step "Installer probes (a capability taken away is named)" bash scripts/tests/install_deps_test.sh
want scripts && step "One list of core sources (core/sources.txt), read by every build" python3 scripts/tests/core_sources_test.py
want scripts && step "Object formats read from header bytes (scripts/lib/objformat.py)" python3 scripts/tests/objformat_test.py
want scripts && step "Versions and names in README, docs/ and scripts agree with the code" python3 scripts/tests/versions_test.py
want release && step "Release artifacts (Go module, Maven repository, tarball; used offline)" bash release-tests/run.sh
want release && step "Container images (lint; build and run where an engine works)" bash deploy/docker/images.sh test
want bridge && step "Bridge (NATS JetStream)" bash bridge/test.sh
want cross && step "Windows cross build (mingw-w64) run under Wine: cmocka tests, CLI, two processes" bash scripts/cross.sh windows
want cross && step "macOS cross builds (zig cc, x86_64 and aarch64): compiled and linked, not run" bash scripts/cross.sh macos
want cross && step "Go binding cross builds with cgo (darwin/amd64, darwin/arm64: zig cc; windows/amd64: mingw-w64): compiled and linked, not run" bash scripts/cross-go.sh

echo
if [[ $failed -ne 0 ]]; then
  printf 'failed step: %s\n' "${failures[@]}"
  echo "step logs: $logs"
else
  rm -rf "$logs"
fi
echo "test.sh: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
