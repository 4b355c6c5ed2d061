#!/usr/bin/env bash
# Smoke test of the market-data sample: 30,000 quotes at 50,000/s (under a second of sending),
# then checks that all arrived in order and that the latency table was printed with figures.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(mktemp "${TMPDIR:-/tmp}/hftipc-md-smoke.XXXXXX")"
trap 'rm -f "$out"' EXIT
if ! timeout 300 bash "$here/run.sh" --rate 50000 --count 30000 --warmup 1000 >"$out" 2>&1; then
    cat "$out" >&2
    echo "market-data smoke: FAILED (output above)" >&2
    exit 1
fi
grep -q '^algo: received 30000 of 30000 quotes, 0 sequence gaps, 0 bad records' "$out" ||
    { cat "$out" >&2; echo "market-data smoke: FAILED: not all 30000 quotes arrived in order" >&2; exit 1; }
grep -q '^algo: latency feed -> algo over 29000 quotes' "$out" ||
    { cat "$out" >&2; echo "market-data smoke: FAILED: the latency was not measured over 29000 quotes" >&2; exit 1; }
# Four positive figures under the p50/p99/p99.9/max header, in non-decreasing order.
grep -A1 'p50 *p99 *p99.9 *max' "$out" | tail -n 1 | awk '{
    if (NF != 8) exit 1
    for (i = 1; i <= 7; i += 2) { if ($i <= 0) exit 1; if (i > 1 && $i < $(i - 2)) exit 1 }
}' || { cat "$out" >&2; echo "market-data smoke: FAILED: the latency figures are missing or out of order" >&2; exit 1; }
grep -A1 'p50 *p99 *p99.9 *max' "$out"
echo "market-data smoke: ok"
