#!/usr/bin/env bash
# Smoke test of the plugin sample: 100,000 requests at 50,000/s while the plugin is replaced
# four times (twice gracefully, twice by kill -9) and crashes once at the worst moment
# (injected: after answering a request, before acknowledging it). The host must see every
# request answered exactly once, and the plugin after the injected crash must have skipped the
# request its predecessor answered but did not acknowledge.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(mktemp "${TMPDIR:-/tmp}/hftipc-plugin-smoke.XXXXXX")"
trap 'rm -f "$out"' EXIT
fail() {
    cat "$out" >&2
    echo "plugin smoke: FAILED: $*" >&2
    exit 1
}
timeout 300 bash "$here/run.sh" --requests 100000 --rate 50000 --swaps 4 --inject-crash 2000 >"$out" 2>&1 ||
    fail "the run failed (output above)"
grep -q '^host: sent 100000 requests, 100000 answered, 0 lost, 0 answered twice, 0 wrong, 0 out of order, 0 unknown; 6 plugin processes' "$out" ||
    fail "not every request was answered exactly once by the 6 plugins"
grep -q '^host: ok' "$out" || fail "the host did not report success"
grep -q '^plugin\[1\]: injected crash after answering request 1999, before its ack' "$out" ||
    fail "the injected crash did not happen"
grep -q '^plugin\[2\]: ready: pid [0-9]*, answering from request 2000$' "$out" ||
    fail "the plugin after the crash did not resume after the answered request"
grep -Eq '^plugin\[2\]: .* skipped [1-9][0-9]* answered by a predecessor' "$out" ||
    fail "the plugin after the crash did not skip the answered, unacknowledged request"
grep -e '^host:' "$out"
echo "plugin smoke: ok"
