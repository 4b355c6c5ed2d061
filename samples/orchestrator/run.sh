#!/usr/bin/env bash
# The orchestrator sample in one command: an orchestrator (Go) watches a fresh directory and
# polls every parser channel that appears in it; two Go parsers and a Java parser start at
# different times, one of them before the orchestrator. Prints what the orchestrator sees.
#   samples/orchestrator/run.sh [RECORDS]     (default 20000 per parser)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=build.sh
source "$here/build.sh"
records="${1:-20000}"
base=/dev/shm
[[ -d $base && -w $base ]] || base="${TMPDIR:-/tmp}"
dir="$(mktemp -d "$base/hftipc-orchestrator-XXXXXX")"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$dir"
}
trap cleanup EXIT

echo "== parsers create channels in $dir; the orchestrator finds them there"
"$bin/goparser" -dir "$dir" -name go-early -records "$records" & pids+=($!)
sleep 0.3
"$bin/orchestrator" -dir "$dir" -expect 3 -timeout 120s -report 250ms & orch=$!
pids+=("$orch")
sleep 0.5
"$bin/goparser" -dir "$dir" -name go-late -records "$records" -rate 2000 & pids+=($!)
sleep 0.5
java -cp "$jar:$classes" Parser "$dir" java-late "$records" & pids+=($!)
wait "$orch"
