#!/usr/bin/env bash
# Smoke test of the demo pipeline (Go gateway -> C engine -> JVM service): 20,000 quotes at
# full speed, then 22,000 at 100,000/s for the latency run (the first 2,000 left out), through
# channels in a private temporary directory, removed afterwards. scripts/demo.sh itself exits
# non-zero unless the counts agree at every hop; this also checks both verdict lines, the
# latency table's p50/p99/p99.9/max columns, the machine line, and that no build output leaked.
# Finishes in well under a minute once the builds are cached.
#   demo/smoke.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base=/dev/shm
[[ -d $base && -w $base ]] || base="${TMPDIR:-/tmp}"
dir="$(mktemp -d "$base/hftipc-demo-smoke.XXXXXX")"
out="$(mktemp "${TMPDIR:-/tmp}/hftipc-demo-smoke.XXXXXX.log")"
trap 'rm -rf "$dir" "$out"' EXIT
start=$SECONDS
if ! timeout 300 bash "$root/scripts/demo.sh" --count 20000 --rate 0 --latency-count 20000 --warmup 2000 \
    --dir "$dir" --clean --quiet >"$out" 2>&1; then
    cat "$out" >&2
    echo "demo smoke: FAILED (output above)" >&2
    exit 1
fi
check() { # pattern what
    if ! grep -Eq "$1" "$out"; then
        cat "$out" >&2
        echo "demo smoke: FAILED: $2" >&2
        exit 1
    fi
}
check '^demo.sh: throughput run: counts agree at every hop: 20000 sent, 20000 received and 20000 published by the engine, 20000 received by the service' \
    "the throughput run's hop counts are not all 20000"
check '^demo.sh: latency run: counts agree at every hop: 22000 sent, 22000 received and 22000 published by the engine, 22000 received by the service' \
    "the latency run's hop counts are not all 22000"
check '^hop \(latency run\) +messages +throughput +p50 +p99 +p99\.9 +max$' "the latency table has no p50/p99/p99.9/max header"
check '^end to end \(gw -> service\) +22,000 +[0-9,]+/s +[0-9.]+ us +[0-9.]+ us +[0-9.]+ us +[0-9.]+ us$' \
    "the latency table has no end-to-end row with four figures"
check '^Machine: .*logical CPUs.*Linux ' "the latency report does not describe the machine"
check '^Pinning: ' "the latency report does not say whether the processes were pinned"
# Nothing but the demo's own lines: no compiler, CMake, Maven or go output.
if grep -Eq -e '^\[ *[0-9]+%\]' -e '^-- ' -e '^\[INFO\]' -e '^(go: |#|warning:)' "$out"; then
    cat "$out" >&2
    echo "demo smoke: FAILED: build output leaked into the demo's output" >&2
    exit 1
fi
grep -A5 '^hop ' "$out"
echo "demo smoke: ok, 20000 quotes flat out and 22000 at 100,000/s through gateway -> engine -> service ($((SECONDS - start)) s)"
