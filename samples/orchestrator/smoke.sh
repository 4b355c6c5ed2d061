#!/usr/bin/env bash
# Smoke test of the orchestrator sample (run by scripts/test.sh): a Go parser starts before the
# orchestrator, a second Go parser (rate-limited, so that two channels are polled at once) and a
# Java parser start later, at different times. Passes when the orchestrator found all three
# channels through its directory watch and received every record of each, in order, within the
# time limit; fails otherwise. Bounded: about 10 s after the build, 90 s at most.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-orchestrator-smoke-XXXXXX")"
export BUILD
# shellcheck source=build.sh
source "$here/build.sh"
base=/dev/shm
[[ -d $base && -w $base ]] || base="${TMPDIR:-/tmp}"
dir="$(mktemp -d "$base/hftipc-orchestrator-smoke-XXXXXX")"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$dir" "$BUILD"
}
trap cleanup EXIT
log="$BUILD/orchestrator.log"
fails=0
check() { # description, then a command that must succeed
    local what="$1"
    shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

early=3000 late=10000 java=20000
"$bin/goparser" -dir "$dir" -name go-early -records "$early" >"$BUILD/early.log" 2>&1 &
p_early=$!
pids+=("$p_early")
sleep 0.2 # go-early fills its ring and waits: nobody consumes yet
timeout 90 "$bin/orchestrator" -dir "$dir" -expect 3 -timeout 80s -report 0 >"$log" 2>&1 &
orch=$!
pids+=("$orch")
sleep 0.3
"$bin/goparser" -dir "$dir" -name go-late -records "$late" -rate 2500 >"$BUILD/late.log" 2>&1 &
p_late=$!
pids+=("$p_late")
sleep 0.5
timeout 60 java -cp "$jar:$classes" Parser "$dir" java-late "$java" >"$BUILD/java.log" 2>&1 &
p_java=$!
pids+=("$p_java")

status=0
wait "$orch" || status=$?
cat "$log"
check "the orchestrator exited 0 (status $status)" test "$status" -eq 0
for p in "go-early:$p_early" "go-late:$p_late" "java-late:$p_java"; do
    s=0
    wait "${p#*:}" || s=$?
    check "parser ${p%%:*} exited 0 (status $s)" test "$s" -eq 0
done
check "go-early (started before the orchestrator) was found" grep -q '^orchestrator: found go-early ' "$log"
check "go-early: all $early records, in order" grep -qx "orchestrator: go-early finished: $early records, all in order" "$log"
check "go-late: all $late records, in order" grep -qx "orchestrator: go-late finished: $late records, all in order" "$log"
check "java-late: all $java records, in order" grep -qx "orchestrator: java-late finished: $java records, all in order" "$log"
check "two channels were polled at once" grep -q 'polling 2 channels' "$log"
check "the orchestrator removed every finished channel" test -z "$(ls -A "$dir")"
if [[ $fails -ne 0 ]]; then
    for f in early late java; do echo "--- $f parser:"; cat "$BUILD/$f.log"; done
    echo "orchestrator smoke: $fails check(s) failed"
    exit 1
fi
echo "orchestrator smoke: passed"
