#!/usr/bin/env bash
# Runs core/tests/cross/two_process.c as two independent processes on one channel: the reader
# first (it waits for the file to appear), then the writer; both must succeed, and the reader
# must report every sequence number. With --wine both are Windows programs run under Wine
# (scripts/wine-run.sh, one WINEPREFIX for both, as two programs in one Windows session) and the
# channel's path is given in Windows form (Z:\...).
#   two_process_test.sh [--wine] TWO_PROCESS N
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runner=()
if [[ "${1:-}" == "--wine" ]]; then
    runner=(bash "$here/../../../scripts/wine-run.sh")
    shift
fi
[[ $# -eq 2 ]] || { echo "usage: two_process_test.sh [--wine] TWO_PROCESS N" >&2; exit 2; }
bin="$1" n="$2"
dir="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-two-process.XXXXXX")"
own_prefix=""
if ((${#runner[@]})) && [[ -z "${WINEPREFIX:-}" ]]; then
    # Both sides must share one prefix (one wineserver): make one for this run.
    own_prefix="$dir/wineprefix"
    export WINEPREFIX="$own_prefix"
fi
cleanup() {
    [[ -z "$own_prefix" ]] || WINEPREFIX="$own_prefix" wineserver -k >/dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT
path="$dir/channel"
if ((${#runner[@]})); then
    path="$(env WINEDEBUG=-all winepath -w "$path" 2>/dev/null | tr -d '\r')"
    [[ -n "$path" ]] || { echo "two_process_test: winepath could not convert $dir/channel" >&2; exit 1; }
fi

start=$SECONDS
"${runner[@]}" "$bin" read "$path" "$n" >"$dir/read.out" 2>&1 &
reader=$!
"${runner[@]}" "$bin" write "$path" "$n" >"$dir/write.out" 2>&1
wrc=$?
wait "$reader"
rrc=$?
tr -d '\r' <"$dir/write.out"
tr -d '\r' <"$dir/read.out"
if [[ $wrc -ne 0 || $rrc -ne 0 ]]; then
    echo "two_process_test: FAILED: writer exit $wrc, reader exit $rrc (path $path)"
    exit 1
fi
grep -q "two_process read: $n messages, sequence numbers 0\.\.$((n - 1)) in order" "$dir/read.out" ||
    { echo "two_process_test: FAILED: the reader did not report all $n messages"; exit 1; }
echo "two_process_test: ok: $n messages between two processes${runner:+ under Wine} in $((SECONDS - start)) s"
