#!/usr/bin/env bash
# ctest bench_target_lines: hftipc_bench --targets, with counts far too small to mean anything,
# prints one well-formed target line per C target of issue 14 (four) and a context line per
# message size, and scripts/lib/targets.sh (bench-all.sh's collector) takes all of them with
# none malformed. It checks the shape of the lines, never their verdicts: speed is not tested.
#   bench/target_lines_test.sh BUILD/bench/hftipc_bench
set -uo pipefail

bench="${1:?usage: target_lines_test.sh PATH/TO/hftipc_bench}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../scripts/lib/targets.sh
source "$root/scripts/lib/targets.sh"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-target-lines.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

"$bench" --targets -n 3000 -r 2 -l 2000 -s 8,64,512 >"$tmp/out" 2>"$tmp/err" || {
    echo "FAIL hftipc_bench --targets exited $?:"
    cat "$tmp/err" "$tmp/out"
    exit 1
}
targets_collect "$tmp/targets.tsv" "$tmp/out"
fails=0
want() { # want WHAT COMMAND...: COMMAND succeeds
    local what="$1"
    shift
    if "$@"; then
        echo "PASS $what"
    else
        echo "FAIL $what"
        fails=$((fails + 1))
    fi
}
count() { awk -F'\t' -v k="$1" -v n="$2" '$2 == k && $3 ~ n' "$tmp/targets.tsv" | wc -l; }
want "4 target lines" [ "$(count target .)" -eq 4 ]
want "none malformed" [ "$(count target '^malformed')" -eq 0 ]
want "the 64-byte send/receive target on payload slots" [ "$(count target 'send/receive 64 B, payload slots')" -eq 1 ]
want "the batch target against boost" [ "$(count target 'batch 8 B vs boost array')" -eq 1 ]
want "the 64 and 56-byte round-trip targets" [ "$(count target 'round trip p50, (64|56) B')" -eq 2 ]
want "every round-trip target reports both runs" \
    [ "$(awk -F'\t' '$3 ~ /round trip/ && $4 ~ /ratios: [0-9.]+ [0-9.]+\)/' "$tmp/targets.tsv" | wc -l)" -eq 2 ]
if grep -q 'boost baseline: not run' "$tmp/out"; then
    echo "SKIP context lines: this build has no boost baseline ($(grep -o 'boost baseline: not run[^;]*' "$tmp/out" | head -1))"
else
    want "a context line per size against boost" [ "$(count context 'vs boost push/pop')" -eq 3 ]
    want "the batch target has a boost figure" \
        [ "$(awk -F'\t' '$3 ~ /vs boost array/ && $5 ~ /M msgs\/s|k msgs\/s/' "$tmp/targets.tsv" | wc -l)" -eq 1 ]
fi
if ((fails)); then
    echo "hftipc_bench printed:"
    cat "$tmp/out"
    exit 1
fi
