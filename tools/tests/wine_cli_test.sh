#!/usr/bin/env bash
# The Windows build of the hftipc CLI, run under Wine as a user on Windows would run it: create,
# send, inspect (text and JSON), recv, ls, check, rm, the errors for a missing and an existing
# file, and a recv in one process woken by a send in another. Paths are given in Windows form
# (Z:\...). recv's output is compared byte for byte (no "\r\n": stdout is binary on Windows).
#   tools/tests/wine_cli_test.sh PATH/TO/hftipc.exe
# WINEPREFIX as scripts/wine-run.sh reads it (scripts/cross.sh windows sets one for its run).
# Prints one line per case and exits non-zero if any failed; every run is bounded by timeout(1).
set -u
exe="${1:?usage: wine_cli_test.sh PATH/TO/hftipc.exe}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
wine_run=(bash "$root/scripts/wine-run.sh")
base=/dev/shm
[[ -d $base && -w $base ]] || base=${TMPDIR:-/tmp}
dir="$(mktemp -d "$base/hftipc-wine-cli.XXXXXX")"
own_prefix=""
if [[ -z "${WINEPREFIX:-}" ]]; then
    own_prefix="$dir/wineprefix"
    export WINEPREFIX="$own_prefix"
fi
bg=""
cleanup() {
    [[ -z "$bg" ]] || kill "$bg" 2>/dev/null
    [[ -z "$own_prefix" ]] || wineserver -k >/dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT
mkdir "$dir/chans"
winpath() { env WINEDEBUG=-all winepath -w "$1" 2>/dev/null | tr -d '\r'; }
wdir="$(winpath "$dir/chans")"
[[ "$wdir" == *:\\* ]] || { echo "FAIL winepath gave '$wdir' for $dir/chans"; exit 1; }
ch="$wdir\\quotes"

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
bad() {
    failed=$((failed + 1))
    echo "FAIL - $1"
    echo "       exit $RC; stdout:"; sed 's/^/       | /' "$dir/out"
    echo "       stderr:"; sed 's/^/       | /' "$dir/err"
}
# run [STDIN-FILE] -- ARGS...: the CLI under Wine; output in $dir/out, $dir/err, status in RC.
run() {
    local in=/dev/null
    if [[ "$1" != -- ]]; then in="$1"; shift; fi
    shift
    timeout 60 "${wine_run[@]}" "$exe" "$@" <"$in" >"$dir/out" 2>"$dir/err"
    RC=$?
}
has() { tr -d '\r' <"$dir/out" | grep -Eq -- "$1"; }
err_has() { tr -d '\r' <"$dir/err" | grep -Eq -- "$1"; }

version="$(sed -n 's/^#define HFTIPC_VERSION_\(MAJOR\|MINOR\|PATCH\) \+\([0-9]*\).*/\2/p' "$root/core/include/hftipc.h" | paste -sd.)"
run -- --version
[[ $RC -eq 0 ]] && has "^hftipc $version \(library $version" && ok "--version: hftipc $version" || bad "--version"

run -- create "$ch" --capacity 64 --slot-size 128
[[ $RC -eq 0 && -f "$dir/chans/quotes" ]] && ok "create $ch: the file exists (capacity 64, slot size 128)" ||
    bad "create"
run -- create "$ch"
[[ $RC -eq 1 ]] && err_has 'HFTIPC_EEXIST' && ok "create of an existing file: exit 1, HFTIPC_EEXIST" ||
    bad "create of an existing file"

printf 'alpha\nbeta\ngamma\n' >"$dir/in"
run "$dir/in" -- send "$ch"
[[ $RC -eq 0 ]] && ok "send: three lines from standard input" || bad "send"

run -- inspect "$ch"
[[ $RC -eq 0 ]] && has '^status: +ok' && has '^head: +3 ' && has '^backlog: +3' &&
    has 'capacity 64 slots, slot size 128 bytes' && ok "inspect: status ok, head 3, backlog 3" ||
    bad "inspect"
run -- inspect --json "$ch"
if [[ $RC -eq 0 ]] && tr -d '\r' <"$dir/out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["valid"] and d["head"] == 3 and d["tail"] == 0 and d["capacity"] == 64 else 1)'; then
    ok "inspect --json: valid, head 3, tail 0, capacity 64"
else
    bad "inspect --json"
fi

run -- recv "$ch" --count 2
if [[ $RC -eq 0 ]] && cmp -s "$dir/out" <(printf 'alpha\nbeta\n'); then
    ok "recv --count 2: 'alpha\\nbeta\\n' byte for byte"
else
    bad "recv --count 2 (want exactly 'alpha\\nbeta\\n'; got $(od -c "$dir/out" | head -n 3 | tr -s ' '))"
fi

run -- ls "$wdir"
[[ $RC -eq 0 ]] && has '^quotes +spsc +1\.[0-9]+ +64 +128 +1 ' && ok "ls: quotes, spsc, capacity 64, slot 128, backlog 1" ||
    bad "ls"
run -- check "$ch"
[[ $RC -eq 0 ]] && has ': ok \(format' && ok "check: ok" || bad "check"
run -- inspect "$wdir\\missing"
[[ $RC -eq 1 ]] && err_has 'HFTIPC_ENOENT' && ok "inspect of a missing file: exit 1, HFTIPC_ENOENT" ||
    bad "inspect of a missing file"

# Two CLI processes: a recv that waits (the ring holds one message, it wants three) and a send
# in another process whose messages wake it.
timeout 60 "${wine_run[@]}" "$exe" recv "$ch" --count 3 --timeout 30 >"$dir/bg.out" 2>"$dir/bg.err" &
bg=$!
sleep 2
printf 'delta\nepsilon\n' >"$dir/in2"
run "$dir/in2" -- send "$ch"
send_rc=$RC
wait "$bg"
RC=$?
bg=""
cp "$dir/bg.out" "$dir/out"
cp "$dir/bg.err" "$dir/err"
if [[ $send_rc -eq 0 && $RC -eq 0 ]] && cmp -s "$dir/out" <(printf 'gamma\ndelta\nepsilon\n'); then
    ok "recv in one process, send in another: gamma, delta, epsilon"
else
    bad "recv woken by a send in another process (send exit $send_rc)"
fi

run -- rm "$ch"
[[ $RC -eq 0 && ! -e "$dir/chans/quotes" ]] && ok "rm: the file is gone" || bad "rm"

echo "wine_cli_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
