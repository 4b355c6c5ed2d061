#!/usr/bin/env bash
# Smoke test of the logger sample: 200,000 lines at 100,000/s while the sink crashes once at
# the worst moment (injected: after writing a batch, before acknowledging it) and is killed
# with kill -9 twice more at random moments; every logged line must be in the file, and the
# injected crash must show as exactly the repeat of one batch. Then the checker is shown to
# fail on a file with one line removed and on one with a repeat longer than a batch.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-logger-smoke.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
fail() {
    cat "$tmp/out" >&2
    echo "logger smoke: FAILED: $*" >&2
    exit 1
}
timeout 300 bash "$here/run.sh" --lines 200000 --rate 100000 --kill 2 --inject-crash 200 \
    --out "$tmp/app.log" >"$tmp/out" 2>&1 || fail "the run failed (output above)"
grep -q '^check: ok' "$tmp/out" || fail "the checker did not pass"
grep -q '^sink: injected crash after writing batch 199, before its ack' "$tmp/out" ||
    fail "the injected crash did not happen"
grep -Eq '^check: 200[0-9]* lines in the file for 200000 logged: 0 missing, [1-9][0-9]* written twice \(in [1-3] repeated runs' "$tmp/out" ||
    fail "the batch in flight at the injected crash was not written again"
grep -e '^check:' -e '^logger:' "$tmp/out"

# The checker must catch a lost line and an over-long repeat.
bin="${HFTIPC_SAMPLES_BUILD_DIR:-$here/../../build-samples}/bin"
max_batch="$(sed -n 's/.*at most \([0-9]*\) lines per batch.*/\1/p' "$tmp/out")"
sed '1000d' "$tmp/app.log" >"$tmp/lost.log"
if "$bin/check" -file "$tmp/lost.log" -lines 200000 -kills 3 -max-batch "$max_batch" >"$tmp/out" 2>&1; then
    fail "the checker accepted a file with a line missing"
fi
grep -q 'FAILED: 1 logged lines are missing' "$tmp/out" || fail "the checker did not report the missing line"
{ head -n 5000 "$tmp/app.log"; sed -n "$((5000 - max_batch)),5000p" "$tmp/app.log"; tail -n +5001 "$tmp/app.log"; } >"$tmp/repeat.log"
if "$bin/check" -file "$tmp/repeat.log" -lines 200000 -kills 3 -max-batch "$max_batch" >"$tmp/out" 2>&1; then
    fail "the checker accepted a repeat of $((max_batch + 1)) lines, longer than a batch"
fi
echo "logger smoke: ok (and the checker rejects a lost line and a repeat longer than a batch)"
