#!/usr/bin/env bash
# End-to-end tests of `hftipc ls` and `hftipc ls --watch`, driven as a user would drive them.
# Usage: ls_test.sh PATH/TO/hftipc
# Prints one line per case (ok/FAIL) and exits non-zero if any case failed. Every background
# process is bounded by its own --timeout and by timeout(1), so the test cannot hang.
set -u

HFTIPC=${1:?usage: ls_test.sh PATH/TO/hftipc}
HFTIPC=$(cd "$(dirname "$HFTIPC")" && pwd)/$(basename "$HFTIPC")
BASE=/dev/shm
[[ -d $BASE && -w $BASE ]] || BASE=${TMPDIR:-/tmp}
T=$(mktemp -d "$BASE/hftipc-ls-test.XXXXXX")
BG_PIDS=()
cleanup() {
    for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT

passed=0
failed=0
OUT=$T/out
ERR=$T/err
run() {
    timeout 20 "$HFTIPC" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}
ok() {
    passed=$((passed + 1))
    echo "ok   - $1"
}
fail() {
    failed=$((failed + 1))
    echo "FAIL - $1"
    shift
    for line in "$@"; do echo "       $line"; done
    echo "       stdout: $(head -c 800 "$OUT" 2>/dev/null)"
    echo "       stderr: $(head -c 400 "$ERR" 2>/dev/null)"
}
expect() { # NAME RC [STDOUT_ERE] [STDERR_ERE]
    local name=$1 want=$2 out_re=${3:-} err_re=${4:-}
    if [[ $RC -ne $want ]]; then
        fail "$name" "exit status $RC, expected $want"
    elif [[ -n $out_re ]] && ! grep -qE -- "$out_re" "$OUT"; then
        fail "$name" "stdout does not match /$out_re/"
    elif [[ -n $err_re ]] && ! grep -qE -- "$err_re" "$ERR"; then
        fail "$name" "stderr does not match /$err_re/"
    else
        ok "$name"
    fi
}
py() { # NAME PYTHON-SCRIPT ARGS...: the case passes if the script exits 0
    local name=$1 script=$2
    shift 2
    if python3 -c "$script" "$@" 2>"$T/py.err"; then ok "$name"; else fail "$name" "$(cat "$T/py.err")"; fi
}
# wait_for FILE ERE SECONDS: until FILE has a line matching ERE, or the time is up.
wait_for() {
    local end=$((SECONDS + $3))
    while ((SECONDS < end)); do
        grep -qE -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
# wait_bounded PID SECONDS: wait for a background PID; after SECONDS kill it and return 124.
wait_bounded() {
    local end=$((SECONDS + $2))
    while kill -0 "$1" 2>/dev/null && ((SECONDS < end)); do sleep 0.05; done
    if kill -0 "$1" 2>/dev/null; then
        kill -KILL "$1" 2>/dev/null
        wait "$1" 2>/dev/null
        return 124
    fi
    wait "$1"
}
# fingerprint DIR: names, sizes, modes, mtimes and contents of everything in DIR.
fingerprint() {
    (cd "$1" && find . -mindepth 1 -printf '%p %y %s %m %T@\n' | sort && find . -type f -exec sha256sum {} + | sort)
}

# ---- the four-file directory: SPSC, MPSC, a truncated channel file, a non-channel file ------

D=$T/four
mkdir "$D"
"$HFTIPC" create "$D/quotes" --capacity 16 --slot-size 64
"$HFTIPC" create "$D/orders" --mode mpsc --capacity 8 --slot-size 128
"$HFTIPC" create "$T/whole" --capacity 16 --slot-size 64
head -c 5000 "$T/whole" >"$D/truncated"
echo "just some text, long enough to hold a magic and more" >"$D/notes.txt"
printf 'a\nb\nc\n' | "$HFTIPC" send "$D/quotes"
before=$(fingerprint "$D")

run ls --json "$D"
expect "ls --json of the four-file directory" 0
cp "$OUT" "$T/four.json"
py "ls --json lists the SPSC, MPSC, truncated and non-channel files correctly" '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["dir"] == sys.argv[2], d["dir"]
e = {x["name"]: x for x in d["entries"]}
assert [x["name"] for x in d["entries"]] == ["notes.txt", "orders", "quotes", "truncated"], list(e)
q, o, t, n = e["quotes"], e["orders"], e["truncated"], e["notes.txt"]
assert q["valid"] and q["status"] == "HFTIPC_OK" and q["error"] is None, q
assert (q["mode"], q["capacity"], q["slot_size"], q["backlog"], q["head"]) == ("spsc", 16, 64, 3, 3), q
assert o["valid"] and (o["mode"], o["capacity"], o["slot_size"], o["backlog"]) == ("mpsc", 8, 128, 0), o
for x in (q, o):
    assert x["type"] == "file" and x["bytes"] == x["file_size"] and x["inode"] > 0, x
    assert x["format"] == "1.%d" % x["format_minor"] and x["format_major"] == 1, x
    assert x["producer"]["liveness"] == "none" and x["consumer"]["liveness"] == "none", x
assert not t["valid"] and t["status"] == "HFTIPC_ESIZE" and t["error"], t
assert t["type"] == "file" and t["bytes"] == 5000 and t["capacity"] == 16, t
assert not n["valid"] and n["status"] == "HFTIPC_EBADMAGIC" and "not a channel file" in n["error"], n
assert "capacity" not in n, "a non-channel file has no decoded fields"
for x in d["entries"]:
    assert x["path"] == sys.argv[2] + "/" + x["name"], x["path"]
' "$T/four.json" "$D"

# Each entry carries exactly what inspect --json says of the same file.
for f in quotes orders truncated notes.txt; do
    timeout 20 "$HFTIPC" inspect "$D/$f" --json >"$T/inspect.json" 2>/dev/null
    py "ls --json entry of $f has the keys and values of inspect --json" '
import json, sys
e = {x["name"]: x for x in json.load(open(sys.argv[1]))["entries"]}[sys.argv[3]]
i = json.load(open(sys.argv[2]))
for k in ("name", "type", "inode", "bytes"):
    e.pop(k)
assert e == i, {k: (e.get(k), i.get(k)) for k in set(e) | set(i) if e.get(k) != i.get(k)}
' "$T/four.json" "$T/inspect.json" "$f"
done

run ls "$D"
expect "ls (text) of the four-file directory" 0 "^NAME +MODE +FORMAT +CAPACITY +SLOT +BACKLOG +PRODUCER +CONSUMER$"
check_row() { # NAME ERE
    if grep -qE -- "$2" "$OUT"; then ok "$1"; else fail "$1" "no line matches /$2/"; fi
}
check_row "ls shows the SPSC channel" "^quotes +spsc +1\.[0-9]+ +16 +64 +3 +none +none$"
check_row "ls shows the MPSC channel" "^orders +mpsc +1\.[0-9]+ +8 +128 +0 +none +none$"
check_row "ls shows the truncated file with its status" "^truncated +.*\[HFTIPC_ESIZE\]$"
check_row "ls shows the non-channel file with its status" "^notes\.txt +not a channel file \(bad magic\) \[HFTIPC_EBADMAGIC\]$"
[[ $(wc -l <"$OUT") -eq 5 ]] && ok "ls prints a header and one row per entry" || fail "ls row count"
[[ "$(fingerprint "$D")" == "$before" ]] && ok "ls modifies nothing" || fail "ls modified the directory"

# A live holder shows in the listing.
"$HFTIPC" recv "$D/quotes" --timeout 10 >/dev/null 2>&1 &
RECV_PID=$!
BG_PIDS+=("$RECV_PID")
sleep 0.4
run ls --json "$D"
py "ls --json shows the live consumer's pid" '
import json, sys
q = {x["name"]: x for x in json.load(open(sys.argv[1]))["entries"]}["quotes"]
assert q["consumer"]["pid"] == int(sys.argv[2]) and q["consumer"]["liveness"] == "alive", q["consumer"]
' "$OUT" "$RECV_PID"
run ls "$D"
check_row "ls shows the live consumer as PID/alive" "^quotes .* none +$RECV_PID/alive$"
kill -INT "$RECV_PID"
wait "$RECV_PID"

# ---- other kinds of entry: directory, symlink, FIFO, empty file, too-new file ---------------

E=$T/kinds
mkdir "$E" "$E/subdir"
"$HFTIPC" create "$E/chan"
ln -s chan "$E/link"
mkfifo "$E/fifo"
: >"$E/empty"
cp "$E/chan" "$E/v2"
printf '\x02' | dd of="$E/v2" bs=1 seek=8 conv=notrunc status=none
run ls --json "$E"
expect "ls --json with a directory, symlink, FIFO, empty and format-2 file" 0
py "each kind is listed with its type and status; nothing is followed or opened" '
import json, sys
e = {x["name"]: x for x in json.load(open(sys.argv[1]))["entries"]}
want = {"chan": ("file", "HFTIPC_OK"), "link": ("symlink", "HFTIPC_ENOTFILE"),
        "fifo": ("other", "HFTIPC_ENOTFILE"), "subdir": ("directory", "HFTIPC_ENOTFILE"),
        "empty": ("file", "HFTIPC_ETRUNCATED"), "v2": ("file", "HFTIPC_EVERSION")}
got = {k: (v["type"], v["status"]) for k, v in e.items()}
assert got == want, got
assert "format 2." in e["v2"]["error"] and e["v2"]["format_major"] == 2, e["v2"]
' "$OUT"

# Hostile names: a newline, a byte that is not UTF-8 and an escape sequence in a file name.
N=$T/names
mkdir "$N"
"$HFTIPC" create "$N/"$'evil\nname\xff\033[2J'
"$HFTIPC" create "$N/café"
run ls --json "$N"
py "ls --json of hostile names is valid JSON (invalid UTF-8 as U+FFFD)" '
import json, sys
names = sorted(x["name"] for x in json.load(open(sys.argv[1], encoding="utf-8"))["entries"])
assert names == ["caf\u00e9", "evil\nname\ufffd\x1b[2J"], names
' "$OUT"
run ls "$N"
check_row "ls escapes a hostile name in text" '^evil\\x0aname\\xff\\x1b\[2J +spsc '
check_row "ls shows a UTF-8 name as it is" '^café +spsc '
[[ $(wc -l <"$OUT") -eq 3 ]] && ! grep -q $'\033' "$OUT" && ok "... one row per entry, no escape byte on the terminal" ||
    fail "hostile name broke the text listing"

# ---- errors --------------------------------------------------------------------------------

run ls
expect "ls without DIR" 2 "" "missing DIR"
run ls "$T/no-such-dir"
expect "ls of a missing directory" 1 "" "no-such-dir: .*\[HFTIPC_ENOENT\]"
run ls "$D/quotes"
expect "ls of a file" 1 "" "quotes: not a directory \[HFTIPC_ENOTFILE\]"
run ls "$D" --count 2
expect "ls --count without --watch" 2 "" "need --watch"
run ls "$D" --watch --interval 0
expect "ls --watch --interval 0" 2 "" "at least 0.001"
run ls "$D" "$E"
expect "ls with two directories" 2 "" "unexpected argument"
run ls "$D" --watch --timeout -1
expect "ls --watch --timeout -1" 2 "" "invalid value '-1'"

# ---- --watch -------------------------------------------------------------------------------

before=$(fingerprint "$D") # again: the consumer above took the role and consumed

run ls --watch "$D" --count 4
expect "ls --watch --count 4 ends after the initial listing" 0 "^added +notes\.txt "
[[ $(grep -c '^added ' "$OUT") -eq 4 ]] && ok "... reporting the four entries as added" ||
    fail "initial added events"

run ls --watch "$D" --count 10 --timeout 0.3
expect "ls --watch: timeout before --count is a failure" 1 "" "timed out after 0.3 s without an event \(4 of 10 seen\)"
[[ "$(fingerprint "$D")" == "$before" ]] && ok "ls --watch modifies nothing" || fail "ls --watch modified the directory"

# A channel appears and disappears while the watch runs (inotify, and then polling only).
watch_case() { # LABEL EXTRA-OPTIONS...
    local label=$1
    shift
    local W=$T/w-$label
    mkdir "$W"
    "$HFTIPC" create "$W/first"
    local start=$SECONDS
    "$HFTIPC" ls --watch "$W" --json --timeout 3 "$@" >"$T/watch.out" 2>"$T/watch.err" &
    local pid=$!
    BG_PIDS+=("$pid")
    wait_for "$T/watch.out" '"name":"first"' 5 || fail "ls --watch ($label) lists the existing channel"
    "$HFTIPC" create "$W/second" --mode mpsc
    wait_for "$T/watch.out" '"event":"added".*"name":"second"' 5
    rm "$W/second"
    wait_bounded "$pid" 15
    RC=$?
    cp "$T/watch.out" "$OUT"
    cp "$T/watch.err" "$ERR"
    expect "ls --watch ($label) ends quietly at its idle timeout" 0
    ((SECONDS - start <= 15)) && ok "ls --watch ($label) ends in bounded time ($((SECONDS - start)) s)" ||
        fail "ls --watch ($label) took $((SECONDS - start)) s"
    py "ls --watch ($label) sees the channel appear and disappear, in order" '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
got = [(e["event"], e["name"]) for e in ev]
assert got == [("added", "first"), ("added", "second"), ("removed", "second")], got
a = ev[1]
assert a["valid"] and a["mode"] == "mpsc" and a["status"] == "HFTIPC_OK" and a["time"].endswith("Z"), a
' "$OUT"
}
watch_case inotify
watch_case poll --poll --interval 0.05

# A role holder arriving and leaving is a change; the text form names the event. (How many
# changes a start-up shows depends on when the rescans fall, so the test looks for the states,
# not for a number of events; SIGINT ends the watch.)
W=$T/w-holder
mkdir "$W"
"$HFTIPC" create "$W/chan"
: >"$T/watch.out" # (see the Ctrl-C case below)
"$HFTIPC" ls --watch "$W" --interval 0.05 --timeout 10 >"$T/watch.out" 2>&1 &
WATCH_PID=$!
BG_PIDS+=("$WATCH_PID")
wait_for "$T/watch.out" '^added +chan ' 5
"$HFTIPC" recv "$W/chan" --timeout 10 >/dev/null 2>&1 &
RECV_PID=$!
BG_PIDS+=("$RECV_PID")
wait_for "$T/watch.out" "^changed +chan .* $RECV_PID/alive$" 5
kill -INT "$RECV_PID"
wait "$RECV_PID"
end=$((SECONDS + 5))
while ((SECONDS < end)) && ! tail -n1 "$T/watch.out" | grep -qE '^changed +chan .* none +none$'; do sleep 0.05; done
kill -INT "$WATCH_PID"
wait_bounded "$WATCH_PID" 5
RC=$?
cp "$T/watch.out" "$OUT"
expect "ls --watch reports a consumer arriving as a change" 0 "^changed +chan .* $RECV_PID/alive$"
[[ $(tail -n1 "$OUT") =~ ^changed\ +chan\ .*\ none\ +none$ ]] && ok "... and leaving as another" ||
    fail "consumer leaving not reported" "$(tail -n1 "$OUT")"

# Ctrl-C stops a watch without --timeout at once, with status 0. The output file is emptied
# first: the background process truncates it only when it runs, so the previous case's
# "added" line could otherwise satisfy wait_for and the SIGINT land before the watch has
# installed its handler (a background job of a script starts with SIGINT ignored).
: >"$T/watch.out"
"$HFTIPC" ls --watch "$W" >"$T/watch.out" 2>&1 &
WATCH_PID=$!
BG_PIDS+=("$WATCH_PID")
wait_for "$T/watch.out" '^added +chan ' 5
start=$SECONDS
kill -INT "$WATCH_PID"
wait_bounded "$WATCH_PID" 5
RC=$?
expect "ls --watch exits 0 on SIGINT" 0
((SECONDS - start <= 2)) && ok "... promptly" || fail "SIGINT took $((SECONDS - start)) s"

echo
echo "ls_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
