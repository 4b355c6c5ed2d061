#!/usr/bin/env bash
# Smoke test of the demo pipeline (Go gateway -> C engine -> JVM service): 20,000 quotes at
# full speed through channels in a private temporary directory, removed afterwards.
# scripts/demo.sh itself exits non-zero unless the counts agree at every hop; this also checks
# its verdict line. Finishes in well under a minute once the builds are cached.
#   demo/smoke.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base=/dev/shm
[[ -d $base && -w $base ]] || base="${TMPDIR:-/tmp}"
dir="$(mktemp -d "$base/hftipc-demo-smoke.XXXXXX")"
out="$(mktemp "${TMPDIR:-/tmp}/hftipc-demo-smoke.XXXXXX.log")"
trap 'rm -rf "$dir" "$out"' EXIT
start=$SECONDS
if ! timeout 300 bash "$root/scripts/demo.sh" --count 20000 --rate 0 --dir "$dir" --clean --quiet >"$out" 2>&1; then
    cat "$out" >&2
    echo "demo smoke: FAILED (output above)" >&2
    exit 1
fi
if ! grep -q '^demo.sh: counts agree at every hop: 20000 sent, 20000 received and 20000 published by the engine, 20000 received by the service' "$out"; then
    cat "$out" >&2
    echo "demo smoke: FAILED: the hop counts are not all 20000" >&2
    exit 1
fi
grep -A5 '^hop ' "$out"
echo "demo smoke: ok, 20000 quotes through gateway -> engine -> service ($((SECONDS - start)) s)"
