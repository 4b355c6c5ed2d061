#!/usr/bin/env bash
# End-to-end tests of the hftipc command-line tool, driven as a user would drive it.
# Usage: cli_test.sh PATH/TO/hftipc
# Prints one line per case (ok/FAIL) and exits non-zero if any case failed.
set -u

HFTIPC=${1:?usage: cli_test.sh PATH/TO/hftipc}
if [[ ! -x "$HFTIPC" ]]; then
    echo "cli_test: $HFTIPC is not executable" >&2
    exit 1
fi
HFTIPC=$(cd "$(dirname "$HFTIPC")" && pwd)/$(basename "$HFTIPC")

BASE=/dev/shm
[[ -d $BASE && -w $BASE ]] || BASE=${TMPDIR:-/tmp}
T=$(mktemp -d "$BASE/hftipc-cli-test.XXXXXX")
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

# run CMD...: run the tool, capturing stdout in $OUT, stderr in $ERR and the status in $RC.
run() {
    "$HFTIPC" "$@" >"$OUT" 2>"$ERR"
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
    echo "       stdout: $(head -c 600 "$OUT" 2>/dev/null)"
    echo "       stderr: $(head -c 600 "$ERR" 2>/dev/null)"
}

# expect NAME RC [STDOUT_GREP] [STDERR_GREP]: check the last run's status and output.
expect() {
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

check_true() { # NAME CONDITION-COMMAND...
    local name=$1
    shift
    if "$@"; then ok "$name"; else fail "$name" "condition failed: $*"; fi
}

# ---- help and version ---------------------------------------------------------------------

run --help
expect "--help lists commands and exit codes" 0 "EXIT STATUS"
for w in create inspect watch tail send recv check ls bench; do
    grep -q "^    $w " "$OUT" || fail "--help mentions $w"
done
run --version
expect "--version prints library and format versions" 0 "hftipc [0-9]+\.[0-9]+\.[0-9]+" ""
# The format version this library writes, as the public header defines it.
FMT_MINOR=$(sed -n 's/^#define HFTIPC_FORMAT_MINOR \([0-9]*\)$/\1/p' "$(dirname "$0")/../../core/include/hftipc.h")
FMT="1.$FMT_MINOR"
grep -q "channel format 1\.$FMT_MINOR" "$OUT" || fail "--version names the format version"
for c in create inspect watch tail send recv check ls bench; do
    run "$c" --help
    expect "$c --help is a man page" 0 "SYNOPSIS"
    for s in NAME DESCRIPTION "EXIT STATUS" EXAMPLES; do
        grep -q "^$s" "$OUT" || fail "$c --help has $s"
    done
done

run help ls
expect "help COMMAND prints the command's help" 0 "^    hftipc ls - "
run help frobnicate
expect "help of an unknown command" 2 "" "unknown command 'frobnicate'"

# ---- bad arguments: exit 2 with a message --------------------------------------------------

run
expect "no command is a usage error" 2 "" "COMMANDS"
run frobnicate
expect "unknown subcommand" 2 "" "unknown command 'frobnicate'"
run --frob
expect "unknown global option" 2 "" "unknown option"
run create "$T/x" --bogus
expect "unknown option" 2 "" "unknown option '--bogus'"
run create "$T/x" --capacity 3
expect "--capacity 3 (not a power of two)" 2 "" "power of two"
run create "$T/x" --capacity abc
expect "--capacity abc" 2 "" "invalid value 'abc'"
run create "$T/x" --capacity -1
expect "--capacity -1" 2 "" "invalid value '-1'"
run create "$T/x" --capacity 99999999999999999999
expect "--capacity overflow" 2 "" "invalid value '99999999999999999999'"
run create "$T/x" --capacity 8x
expect "--capacity trailing garbage" 2 "" "invalid value '8x'"
run create "$T/x" --capacity " 8"
expect "--capacity leading space" 2 "" "invalid value"
run create "$T/x" --capacity
expect "--capacity without a value" 2 "" "needs a value"
run create "$T/x" --slot-size 20
expect "--slot-size not a multiple of 8" 2 "" "multiple of 8"
run create "$T/x" --file-mode 0999
expect "--file-mode not octal" 2 "" "octal"
for m in 4777 0755 0700 2660 1666 0601; do
    run create "$T/x" --file-mode $m
    expect "--file-mode $m (a bit outside 0666) is refused" 2 "" "only read and write bits.*execute, setuid, setgid or sticky"
done
run create "$T/x" --mode mpmc
expect "--mode unknown" 2 "" "spsc"
run create "$T/x" --capacity 1073741824 --slot-size 67108864
expect "geometry over the file size limit" 2 "" "limit"
check_true "no file left by rejected creates" test ! -e "$T/x"
for c in create inspect tail send recv; do
    run "$c"
    expect "$c without PATH" 2 "" "missing PATH"
done
run check
expect "check without PATH" 2 "" "missing PATH"
run watch
expect "watch without PATH" 2 "" "missing PATH"
run inspect a b
expect "inspect with two paths" 2 "" "unexpected argument"
run recv "$T/x" --timeout -1
expect "--timeout -1" 2 "" "invalid value '-1'"
run recv "$T/x" --timeout 1e3
expect "--timeout 1e3 (no exponents)" 2 "" "invalid value"
run recv "$T/x" --count 1.5
expect "--count 1.5" 2 "" "invalid value"
run watch "$T/x" --interval 0
expect "--interval 0" 2 "" "at least"
run inspect "$T/x" --json=yes
expect "flag given a value" 2 "" "takes no value"

# ---- create and inspect --------------------------------------------------------------------

C=$T/chan
run create "$C" --capacity 8 --slot-size 64 --file-mode 0640
expect "create" 0
check_true "created file has mode 0640" test "$(stat -c %a "$C")" = 640
check_true "created file has 4096 + 8*64 bytes" test "$(stat -c %s "$C")" = $((4096 + 8 * 64))
run create "$C"
expect "create refuses an existing path" 1 "" "\[HFTIPC_EEXIST\]"
run create "$C" --force --capacity 16 --slot-size 64
expect "create --force replaces it" 0
run inspect "$C"
expect "inspect (text)" 0 "capacity 16 slots, slot size 64 bytes"
for f in "format: +1\.$FMT_MINOR" "max payload: +56 bytes" "head: +0" "tail: +0" "backlog: +0" \
    "created: +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z" "creator: +pid [0-9]+, hftipc " \
    "producer: +none" "consumer: +none" "full count: +0"; do
    grep -qE "$f" "$OUT" || fail "inspect shows /$f/"
done
run inspect "$C" --json
expect "inspect --json" 0
if python3 - "$OUT" "$C" "$FMT_MINOR" <<'PY'; then ok "inspect --json parses with the documented keys"; else fail "inspect --json keys"; fi
import json, sys
d = json.load(open(sys.argv[1]))
want = {"path": sys.argv[2], "valid": True, "status": "HFTIPC_OK", "error": None,
        "readable": True, "writable": True, "format": "1." + sys.argv[3], "format_major": 1,
        "format_minor": int(sys.argv[3]), "compat_flags": 0, "incompat_flags": 1, "mode": "spsc",
        "capacity": 16, "slot_size": 64, "max_payload": 56, "file_size": 4096 + 16 * 64,
        "head": 0, "tail": 0, "backlog": 0, "full_count": 0}
for k, v in want.items():
    assert d[k] == v, (k, d[k], v)
for k in ("created_ns", "created", "creator_pid", "creator_version", "library_version",
          "library_format"):
    assert k in d, k
for role in ("producer", "consumer"):
    assert d[role] == {"pid": 0, "liveness": "none", "epoch": 0, "takeovers": 0}, d[role]
assert d["created"].endswith("Z") and "T" in d["created"]
PY

# ---- send and recv -------------------------------------------------------------------------

printf 'hello\n\nwith  spaces\ttab\n\\back\\slash\nlast line without newline' >"$T/in"
run send "$C" <"$T/in"
expect "send 5 lines" 0
run inspect "$C" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["head"]==5 and d["backlog"]==5, d' \
    "$OUT" && ok "head and backlog count the sent lines" || fail "head/backlog after send"
run recv "$C" --count 5 --timeout 5
expect "recv 5 messages" 0
printf 'hello\n\nwith  spaces\ttab\n\\back\\slash\nlast line without newline\n' >"$T/want"
check_true "recv returns the lines identically" cmp -s "$OUT" "$T/want"
run recv "$C" --timeout 0.2
expect "recv --timeout on an empty channel ends quietly" 0
check_true "... printing nothing" test ! -s "$OUT"
run recv "$C" --count 1 --timeout 0.2
expect "recv --count 1 timing out is a failure" 1 "" "timed out"
printf 'a\nb\n' | "$HFTIPC" send "$C" >/dev/null 2>&1
run recv "$C" --count 1 --hex --timeout 2
expect "recv --hex" 0 "^61$"
run recv "$C" --timeout 0.2
expect "recv leaves unread messages for the next consumer" 0 "^b$"

# A line longer than the max payload (56 bytes): error naming the line and the limit.
{ echo short; head -c 57 /dev/zero | tr '\0' x; echo; echo after; } >"$T/long"
run send "$C" <"$T/long"
expect "too-long line is an error" 1 "" "line 2 is 57 bytes.*maximum payload of 56 bytes.*HFTIPC_ETOOBIG"
run recv "$C" --timeout 0.2
expect "lines before the long one were sent, none after" 0 "^short$"
check_true "... and only those" test "$(wc -l <"$OUT")" -eq 1

# Full channel: send times out with a clear message.
F=$T/full
run create "$F" --capacity 2 --slot-size 16
seq 3 >"$T/three"
run send "$F" --timeout 0.2 <"$T/three"
expect "send on a full channel fails after the timeout" 1 "" "line 3: the channel stayed full.*HFTIPC_EFULL"

# send --create makes the channel with the given geometry.
N=$T/new
echo one | "$HFTIPC" send "$N" --create --capacity 4 --slot-size 32 >"$OUT" 2>"$ERR"
RC=$?
expect "send --create" 0
run inspect "$N" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert (d["capacity"],d["slot_size"],d["head"])==(4,32,1), d' \
    "$OUT" && ok "send --create used the geometry" || fail "send --create geometry"
run send "$T/missing"
expect "send without --create on a missing path" 1 "" "HFTIPC_ENOENT"
run send "$C" --capacity 8
expect "send --capacity without --create" 2 "" "need --create"

# Roles: a second consumer is refused while the first runs; Ctrl-C releases the role.
"$HFTIPC" recv "$C" --timeout 10 >/dev/null 2>&1 &
RECV_PID=$!
BG_PIDS+=("$RECV_PID")
sleep 0.3
run recv "$C" --timeout 0.1
expect "a second consumer is refused" 1 "" "HFTIPC_EBUSY"
run inspect "$C" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["consumer"]["pid"]==int(sys.argv[2]) and d["consumer"]["liveness"]=="alive", d' \
    "$OUT" "$RECV_PID" && ok "inspect shows the live consumer's pid" || fail "consumer holder"
kill -INT "$RECV_PID"
wait "$RECV_PID"
RC=$?
expect "recv exits 0 on SIGINT" 0
run inspect "$C" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["consumer"]["liveness"]=="none" and d["consumer"]["epoch"]>=1, d' \
    "$OUT" && ok "SIGINT released the consumer role" || fail "role not released on SIGINT"

# ---- tail ----------------------------------------------------------------------------------

"$HFTIPC" tail "$C" --count 3 --timeout 10 >"$T/tail.out" 2>"$T/tail.err" &
TAIL_PID=$!
BG_PIDS+=("$TAIL_PID")
sleep 0.5 # let tail open the channel: it shows only messages published after it started
printf 'one\ntwo\tx\nthree\n' | "$HFTIPC" send "$C"
wait "$TAIL_PID"
RC=$?
cp "$T/tail.out" "$OUT"
cp "$T/tail.err" "$ERR"
expect "tail --count 3 sees messages sent after it started" 0
printf 'one\ntwo\\tx\nthree\n' >"$T/want"
check_true "tail prints them in --text form" cmp -s "$T/tail.out" "$T/want"
run recv "$C" --count 3 --timeout 2
expect "tail did not consume them" 0 "^three$"
run tail "$C" --hex --timeout 0.2
expect "tail --timeout with nothing new" 0
echo hi | "$HFTIPC" send "$C"
"$HFTIPC" tail "$C" --hex --count 1 --timeout 5 >"$T/tail.out" 2>&1 &
TAIL_PID=$!
BG_PIDS+=("$TAIL_PID")
sleep 0.5
echo hi | "$HFTIPC" send "$C"
wait "$TAIL_PID"
RC=$?
cp "$T/tail.out" "$OUT"
expect "tail --hex skips the backlog and prints new messages in hex" 0 "^6869$"

# Overtaken observer: stop tail, let the consumer free the slot it had not read, resume it.
O=$T/overtake
run create "$O" --capacity 1 --slot-size 16
"$HFTIPC" tail "$O" --count 1 --timeout 10 >"$T/tail.out" 2>"$T/tail.err" &
TAIL_PID=$!
BG_PIDS+=("$TAIL_PID")
sleep 0.3
kill -STOP "$TAIL_PID"
echo lost | "$HFTIPC" send "$O"
"$HFTIPC" recv "$O" --count 1 --timeout 2 >/dev/null
echo seen | "$HFTIPC" send "$O"
kill -CONT "$TAIL_PID"
wait "$TAIL_PID"
RC=$?
cp "$T/tail.out" "$OUT"
cp "$T/tail.err" "$ERR"
expect "tail notes being overtaken and continues" 0 "^seen$" "overtaken.*HFTIPC_ELAPPED"

# ---- watch ---------------------------------------------------------------------------------

run watch "$C" "$N" --count 2 --interval 0.1
expect "watch --count 2" 0 "refresh 2"
check_true "watch prints a header per refresh" test "$(grep -c '^CHANNEL' "$OUT")" -eq 2
grep -qE "^$N +1 +0 +1 " "$OUT" && ok "watch shows head, tail, backlog" || fail "watch columns"
check_true "watch does not clear a non-terminal" test "$(grep -c $'\033' "$OUT")" -eq 0
run watch "$C" "$T/missing" --count 1 --interval 0.1
expect "watch reports a bad file and exits 1" 1 "HFTIPC_ENOENT"

# ---- check on good and bad files -----------------------------------------------------------

run check "$C"
expect "check on a good file" 0 "^$C: ok \(format 1\.$FMT_MINOR, capacity 16, slot size 64; this library can read and write it\)"

mkbad() { # NAME: a copy of a good channel file to damage
    cp "$C" "$T/$1"
    echo "$T/$1"
}
echo "just some text, long enough to hold a magic" >"$T/text"
: >"$T/empty"
head -c 5000 "$C" >"$T/truncated"
V2=$(mkbad v2)
printf '\x02' | dd of="$V2" bs=1 seek=8 conv=notrunc status=none
INC=$(mkbad incompat)
printf '\x80' | dd of="$INC" bs=1 seek=31 conv=notrunc status=none
mkdir "$T/dir"

bad_case() { # NAME FILE EXIT STATUS_NAME [MESSAGE_RE]
    run check "$2"
    expect "check: $1" "$3" "" "^$2: .*${5:-}.*\[$4\]"
}
bad_case "text file" "$T/text" 1 HFTIPC_EBADMAGIC "not a channel file"
bad_case "empty file" "$T/empty" 1 HFTIPC_ETRUNCATED
bad_case "truncated channel file" "$T/truncated" 1 HFTIPC_ESIZE
bad_case "format major 2" "$V2" 3 HFTIPC_EVERSION "format 2\.$FMT_MINOR is not supported.*cannot read or write"
bad_case "unknown incompat flag" "$INC" 3 HFTIPC_EINCOMPAT "0x8000000000000000.*cannot read or write"
bad_case "directory" "$T/dir" 1 HFTIPC_ENOTFILE
bad_case "missing path" "$T/nope" 1 HFTIPC_ENOENT
# A valid header in front of holes: an observer cannot map it safely (SIGBUS on a full tmpfs),
# so check refuses it; a producer's open allocates the holes, after which check accepts it.
run create "$T/sparse-src" --capacity 64 --slot-size 4096
head -c 4096 "$T/sparse-src" >"$T/sparse"
truncate -s $((4096 + 64 * 4096)) "$T/sparse"
bad_case "sparse file" "$T/sparse" 1 HFTIPC_ESPARSE "unallocated holes.*open it once as producer or consumer"
run inspect "$T/sparse"
expect "inspect of a sparse file shows its fields" 1 "capacity 64 slots" "HFTIPC_ESPARSE"
printf 'x\n' >"$T/in1"
run send "$T/sparse" <"$T/in1"
if [[ ${HFTIPC_TEST_PLATFORM:-native} == posix ]]; then
  # The generic POSIX platform layer cannot allocate holes without writing: every role refuses
  # the file, which stays as it was (docs/FORMAT.md, section 3).
  expect "send (a producer) refuses a sparse file in the generic POSIX layer" 1 "" "HFTIPC_ESPARSE"
  run check "$T/sparse"
  expect "check still refuses the file" 1 "" "HFTIPC_ESPARSE"
else
  expect "send (a producer) allocates the holes of a sparse file" 0
  run check "$T/sparse"
  expect "check accepts the file once allocated" 0 "^$T/sparse: ok"
fi
run check "$C" "$T/text" "$V2"
expect "check: several files, worst exit wins" 1 "^$C: ok" "HFTIPC_EBADMAGIC"

run inspect "$V2"
expect "inspect of a format 2 file shows what it decoded" 3 "format: +2\.$FMT_MINOR" "HFTIPC_EVERSION"
run inspect "$INC" --json
expect "inspect --json of an invalid file" 3 "" "HFTIPC_EINCOMPAT"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["valid"] is False and d["status"]=="HFTIPC_EINCOMPAT" and d["incompat_flags"]==(1<<63|1) and d["readable"] is False, d' \
    "$OUT" && ok "inspect --json of an invalid file is valid JSON with the reason" || fail "invalid --json"
run inspect "$T/text"
expect "inspect of a text file" 1 "" "not a channel file \(bad magic\) \[HFTIPC_EBADMAGIC\]"
run recv "$V2" --timeout 0.1
expect "recv refuses a format 2 file" 3 "" "format 2\.$FMT_MINOR is not supported.*HFTIPC_EVERSION"
cmp -s <(tail -c +10 "$V2") <(tail -c +10 "$C") && ok "a refused file is not modified" ||
    fail "refused file modified"

# ---- mpsc ----------------------------------------------------------------------------------

M="$T/mpsc"
run create "$M" --mode mpsc --capacity 16 --slot-size 64
expect "create --mode mpsc" 0
run inspect "$M"
expect "inspect shows an mpsc channel" 0 "mode: +mpsc"
printf 'one\ntwo\n' >"$T/two"
run send "$M" <"$T/two"
expect "send into an mpsc channel" 0
run recv "$M" --count 2 --timeout 2
expect "recv from an mpsc channel" 0 "^one$"
run inspect "$M" --json
expect "inspect --json of an mpsc channel" 0
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["mode"]=="mpsc" and d["head"]==2 and d["tail"]==2 and d["abandoned_count"]==0 and d["producer_count"]==0, d' \
    "$OUT" && ok "inspect --json reports mpsc counters" || fail "mpsc --json"
run create "$T/badmode" --mode xyz
expect "create --mode xyz is a usage error" 2 "" "expected spsc or mpsc"

# ---- rm ------------------------------------------------------------------------------------

R=$T/retire-me
run create "$R" --capacity 8 --slot-size 64
run rm "$R"
expect "rm retires and removes a channel" 0
[[ ! -e $R ]] && ok "rm: the file is gone" || fail "rm: the file is gone" "$R still exists"
echo "not a channel" >"$T/plain.txt"
run rm "$T/plain.txt"
expect "rm of a file that is not a channel fails and says why" 1 "" "HFTIPC_EBADMAGIC"
[[ -e $T/plain.txt ]] && ok "rm leaves a non-channel file alone" || fail "rm leaves a non-channel file alone" "gone"
run rm "$R"
expect "rm of a missing path" 1 "" "HFTIPC_ENOENT"
run rm
expect "rm without a path is a usage error" 2

# ---- bench ---------------------------------------------------------------------------------

BENCH=$(dirname "$HFTIPC")/../bench/hftipc_bench
if [[ -x $BENCH ]]; then
    run bench -- --help
    expect "bench passes arguments to hftipc_bench" 0 "hftipc_bench"
else
    run bench --smoke
    expect "bench without hftipc_bench is a clear error" 1 "" "hftipc_bench not found"
fi

echo
echo "cli_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
