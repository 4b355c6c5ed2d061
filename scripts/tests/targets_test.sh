#!/usr/bin/env bash
# Tests of scripts/lib/targets.sh, the collector of scripts/bench-all.sh's "Targets" section: it
# takes the target and context lines from any step's output, in the shapes the C, Go and Java
# steps print them (plain, indented by go test, among TSV rows or log lines), keeps a malformed
# target line as a missed one, ignores everything else, and counts met and missed.
#   scripts/tests/targets_test.sh
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/targets.sh
source "$root/scripts/lib/targets.sh"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-targets-test.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
check() { # check WHAT COMMAND...: pass if COMMAND succeeds
    local what="$1"
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "PASS $what"
    else
        failed=$((failed + 1))
        echo "FAIL $what"
    fi
}
T=$'\t'

# A C step's stdout: a table, an earlier goal, two targets and a context line.
cat >"$tmp/c-bench.out" <<END
| throughput | hftipc send/receive | 64 B | 50 M msgs/s |
[met]    64 B via send/receive >= 50 M msgs/s: 50.0 M
target${T}C send/receive 64 B${T}50.0 M msgs/s${T}60 M msgs/s (fixed)${T}0.83x${T}>= 1.00x${T}missed
target${T}C round trip p50, 64 B${T}p50 400 ns${T}bare p50 300 ns${T}1.33x${T}<= 1.50x in every run${T}met
context${T}C send/receive 8 B vs boost push/pop${T}80 M msgs/s${T}59 M msgs/s${T}1.36x${T}-${T}-
END
# A Go step's output: benchmark lines, a target indented by go test, a log line that mentions
# the word target, a line whose first field only starts with "target", and a target whose fields
# hold a '|'.
cat >"$tmp/go-bench.txt" <<END
BenchmarkSend64-2   	 1000000	       100.0 ns/op
    target${T}Go Send/Receive 512 B vs origin ring${T}18 M msgs/s${T}5.5 M msgs/s${T}3.27x${T}>= 3.00x${T}met
target: this is prose, not a line of the format
targetless${T}a${T}b${T}c${T}d${T}e${T}met
target${T}Go round trip | p50${T}a|b${T}c${T}1.10x${T}<= 1.25x C${T}met
PASS
END
# A Java step's TSV with a malformed target (six fields) and one with a bad verdict.
cat >"$tmp/java-bench.tsv" <<END
throughput${T}hftipc offer/poll${T}64${T}9.9e6${T}9e6${T}1e7
target${T}Java offer/poll 64 B vs Agrona${T}9.9 M${T}27.8 M${T}0.36x${T}>= 1.00x
target${T}Java round trip${T}507 ns${T}404 ns${T}1.25x${T}<= 1.00x${T}probably
END

targets_collect "$tmp/targets.tsv" "$tmp/c-bench.out" "$tmp/go-bench.txt" "$tmp/java-bench.tsv" \
    "$tmp/no-such-step.txt"
targets_render "$tmp/targets.tsv" "$tmp/targets.md" >"$tmp/section.txt"

rows() { awk -F'\t' -v k="$1" '$2 == k' "$tmp/targets.tsv" | wc -l; }
check "collects the 6 target lines of three steps (2 C, 2 Go, 2 malformed Java)" \
    [ "$(rows target)" -eq 6 ]
check "collects the context line" [ "$(rows context)" -eq 1 ]
check "keeps the source file of each line" \
    grep -q "^go-bench.txt${T}target${T}Go Send/Receive 512 B vs origin ring${T}" "$tmp/targets.tsv"
check "ignores prose and other first words" \
    bash -c "! grep -q 'prose\|targetless' '$tmp/targets.tsv'"
check "a six-field target line is kept as a missed malformed target" \
    grep -q "^java-bench.tsv${T}target${T}malformed target line${T}target <TAB> Java offer/poll 64 B.*${T}missed\$" \
    "$tmp/targets.tsv"
check "a target with a verdict other than met or missed is malformed" \
    grep -q "malformed target line${T}target <TAB> Java round trip <TAB>" "$tmp/targets.tsv"
check "counts 3 met and 3 missed" grep -q '^Targets: 3 met, 3 missed' "$tmp/section.txt"
check "prints a missed target as MISSED with its figures" \
    grep -q '^  MISSED  C send/receive 64 B$' "$tmp/section.txt"
check "prints the measured figure and the baseline under it" \
    grep -A2 -q '^          measured 50.0 M msgs/s$' "$tmp/section.txt"
context_listed() { grep -A1 '^Context (not targets):' "$tmp/section.txt" | grep -q "$1"; }
check "prints the context line under Context" context_listed 'C send/receive 8 B vs boost'
check "writes a Markdown table row per target" \
    [ "$(grep -c '^| \(met\|\*\*missed\*\*\) |' "$tmp/targets.md")" -eq 6 ]
check "escapes '|' in Markdown cells" grep -qF '| Go round trip \| p50 | a\|b |' "$tmp/targets.md"

# No step printed a target: the section says so.
: >"$tmp/empty.txt"
targets_collect "$tmp/none.tsv" "$tmp/empty.txt"
targets_render "$tmp/none.tsv" "$tmp/none.md" >"$tmp/none.txt"
check "no target lines: 0 met, 0 missed, and says no step printed one" \
    grep -q '^Targets: 0 met, 0 missed' "$tmp/none.txt"
check "no target lines: the Markdown says so too" grep -q 'No step printed a target line' "$tmp/none.md"

echo "targets_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
