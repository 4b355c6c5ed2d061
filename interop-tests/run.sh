#!/usr/bin/env bash
# Cross-language interop tests of hftipc: C, Go and Java peers sharing channel files.
# docs/INTEROP.md describes the cases; this script builds what it needs and runs them all.
#
#   interop-tests/run.sh
#
# Environment:
#   HFTIPC_INTEROP_MESSAGES        messages per writer/reader pair of the matrix (default 1000000)
#   HFTIPC_INTEROP_CRASH_MESSAGES  messages per crash scenario (default 300000)
#   HFTIPC_INTEROP_MPSC_MESSAGES   messages per producer of the MPSC cases (default 300000)
#   HFTIPC_INTEROP_TIMEOUT         seconds any one peer may run (default 120)
#   HFTIPC_INTEROP_CORE_DIR        the C core for the C peer and the CLI, a core/ directory with
#                                  its sources.txt and cflags.txt (default ../core)
#   HFTIPC_INTEROP_KEEP=1          keep the work directory (channel files, logs) for debugging
#
# Prints one line per case and a final "interop: N passed, N failed"; exits 1 on any failure,
# 77 (skipped) when a needed tool (cc, go, javac, java, python3) is missing.
set -eEuo pipefail
# A command that stops the run under set -e would end it without a FAIL line: the ERR trap
# (inherited by functions, -E) records the last one, and cleanup names it on the way out.
ABORTED_AT=
SUMMARY=
trap 'ABORTED_AT="line $LINENO: $BASH_COMMAND (exit $?)"' ERR

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
MESSAGES=${HFTIPC_INTEROP_MESSAGES:-1000000}
CRASH_MESSAGES=${HFTIPC_INTEROP_CRASH_MESSAGES:-300000}
MPSC_MESSAGES=${HFTIPC_INTEROP_MPSC_MESSAGES:-300000}
PEER_TIMEOUT=${HFTIPC_INTEROP_TIMEOUT:-120}
CORE_DIR=${HFTIPC_INTEROP_CORE_DIR:-$ROOT/core}
BUILD=$HERE/build
# shellcheck source=../scripts/lib/core.sh
source "$ROOT/scripts/lib/core.sh"
# Golden sets, one directory per format version (golden/v1.0, golden/v1.1, ...), oldest first.
mapfile -t GOLDEN_SETS < <(find "$HERE/golden" -mindepth 1 -maxdepth 1 -type d -name 'v*' | sort -V)
SEED=20261130
LANGS=(c go java)

# Channel files live in /dev/shm when it exists (as in production), else in TMPDIR.
shm=/dev/shm
[[ -d $shm && -w $shm ]] || shm=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$shm/hftipc-interop.XXXXXX")
STARTED=() # pids of background peers, killed (by pid) on exit

cleanup() {
    local rc=$? pid
    if ((rc != 0)) && [[ -z $SUMMARY && -n $ABORTED_AT ]]; then
        echo "FAIL interop stopped by a failing command of run.sh, $ABORTED_AT"
        echo "interop: $PASSED passed, $((FAILED + 1)) failed"
    fi
    # TERM first: a `timeout` wrapper passes it on to its peer.
    for pid in "${STARTED[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${STARTED[@]}"; do
        kill -9 "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if [[ ${HFTIPC_INTEROP_KEEP:-0} == 1 ]]; then
        echo "interop: work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

PASSED=0
FAILED=0
pass() {
    PASSED=$((PASSED + 1))
    printf 'PASS %s\n' "$*"
}
fail() {
    FAILED=$((FAILED + 1))
    printf 'FAIL %s\n' "$*"
}
# show_log FILE...: the last lines of peer logs, indented, after a failure.
show_log() {
    local f
    for f in "$@"; do
        [[ -s $f ]] && sed 's/^/    | /' "$f" | tail -n 8
    done
    return 0
}

# ---- Build --------------------------------------------------------------------------------

# Skipped, not failed, without a toolchain (CONVENTIONS.md: skipped tests exit 77).
for tool in cc ar go javac java python3 sha256sum timeout; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "interop: skipped: '$tool' not found"
        exit 77
    fi
done

mkdir -p "$BUILD/core" "$BUILD/java"
build_log=$WORK/build.log

build_c() {
    local cflags=(-O2 -std=c11 -DHFTIPC_STATIC_BUILD -I"$CORE_DIR/include" -I"$CORE_DIR/src")
    local src
    # The core from its one list of sources and warning flags (core/sources.txt, core/cflags.txt).
    core_build_archive "$CORE_DIR" "$BUILD/core" "$BUILD/libhftipc-interop.a" "${cflags[@]}"
    mapfile -t warnings < <(core_cflags "$CORE_DIR")
    cflags+=("${warnings[@]}")
    # The peer and the generator are ours: warnings are errors.
    cc "${cflags[@]}" -Werror -Wstrict-prototypes -Wmissing-prototypes "$HERE/c/peer.c" \
        "$BUILD/libhftipc-interop.a" -o "$BUILD/c-peer"
    # The CLI: the same program as build/tools/hftipc (tools/CMakeLists.txt), built here from
    # the same sources so the run does not depend on, or race with, the CMake build tree.
    local cli=()
    for src in "$ROOT"/tools/cli/*.c; do
        [[ $(basename "$src") == mangen.c ]] || cli+=("$src")
    done
    cc "${cflags[@]}" "${cli[@]}" "$BUILD/libhftipc-interop.a" -lm -o "$BUILD/hftipc"
}

build_go() {
    (cd "$HERE/go" && GOFLAGS=-mod=mod GOPROXY=off go build -o "$BUILD/go-peer" .)
}

JAR=
build_java() {
    JAR=$(find "$ROOT/bindings/java/target" -maxdepth 1 -name 'hftipc-*.jar' \
        ! -name '*-sources.jar' ! -name '*-javadoc.jar' 2>/dev/null | sort | tail -n 1)
    # Rebuild when missing or older than its inputs: a stale jar carries an older core.
    if [[ -z $JAR ]] || [[ -n $(find "$ROOT/core/src" "$ROOT/core/include" \
        "$ROOT/bindings/java/src/main" "$ROOT/bindings/java/pom.xml" \
        "$ROOT/bindings/java/CMakeLists.txt" -newer "$JAR" -print -quit) ]]; then
        (cd "$ROOT/bindings/java" && mvn -B -q -DskipTests package)
        JAR=$(find "$ROOT/bindings/java/target" -maxdepth 1 -name 'hftipc-*.jar' \
            ! -name '*-sources.jar' ! -name '*-javadoc.jar' | sort | tail -n 1)
    fi
    # A private copy: a concurrent `mvn clean` in bindings/java must not pull it from under us.
    cp "$JAR" "$BUILD/hftipc.jar"
    JAR=$BUILD/hftipc.jar
    javac -Xlint:all -Werror -d "$BUILD/java" -cp "$JAR" "$HERE/java/Peer.java"
}

for what in c go java; do
    t0=$SECONDS
    if "build_$what" >"$build_log" 2>&1; then
        pass "build $what peer ($((SECONDS - t0)) s)"
    else
        fail "build $what peer"
        show_log "$build_log"
        SUMMARY=1
        echo "interop: $PASSED passed, $FAILED failed"
        exit 1
    fi
done
CLI=$BUILD/hftipc

# $BUILD/peer-LANG ARGS...: the peer of LANG. Each wrapper execs the peer, so `timeout` and
# $! of a background start refer to the peer process itself: kill -9 must hit the peer.
printf '#!/bin/sh\nexec "%s" "$@"\n' "$BUILD/c-peer" >"$BUILD/peer-c"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$BUILD/go-peer" >"$BUILD/peer-go"
printf '#!/bin/sh\nexec java -XX:+UseSerialGC -cp "%s" Peer "$@"\n' "$JAR:$BUILD/java" >"$BUILD/peer-java"
chmod +x "$BUILD/peer-c" "$BUILD/peer-go" "$BUILD/peer-java"
peer() {
    local lang=$1
    shift
    timeout "$PEER_TIMEOUT" "$BUILD/peer-$lang" "$@"
}
# Peers to be killed mid-stream are started as "$BUILD/peer-LANG" ... &, without timeout.

# wait_both PID_A PID_B: wait for two background peers; as soon as one fails, stop the other
# (a writer whose reader died would otherwise wait for free slots until its timeout). Sets
# RC_A and RC_B to their exit statuses.
wait_both() {
    local a=$1 b=$2 ra='' rb=''
    while [[ -z $ra || -z $rb ]]; do
        if [[ -z $ra ]] && ! kill -0 "$a" 2>/dev/null; then
            wait "$a" && ra=0 || ra=$?
        fi
        if [[ -z $rb ]] && ! kill -0 "$b" 2>/dev/null; then
            wait "$b" && rb=0 || rb=$?
        fi
        if [[ -n $ra && $ra != 0 && -z $rb ]]; then kill "$b" 2>/dev/null || true; fi
        if [[ -n $rb && $rb != 0 && -z $ra ]]; then kill "$a" 2>/dev/null || true; fi
        if [[ -z $ra || -z $rb ]]; then sleep 0.02; fi
    done
    RC_A=$ra
    RC_B=$rb
}

# checksum_of FILE: the checksum=HEX field a peer printed.
checksum_of() { sed -n 's/.*checksum=\([0-9a-f]*\).*/\1/p' "$1" | tail -n 1; }
# json_int FILE KEY: an integer field of a one-line JSON object (hftipc inspect --json).
json_int() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# ---- 1. Golden files: unchanged, read identically by every language ------------------------
# Each golden/vX.Y was written once by the library that first wrote format X.Y. The files never
# change, and every later 1.x library (C, Go, Java) must keep accepting the good ones with
# exactly the content of manifest.json and refusing the others with the same status. A failure
# here after a core change is a compatibility break, not a reason to regenerate
# (docs/INTEROP.md).

# golden_set DIR: sections 1 and 2 for one set.
golden_set() {
    local dir=$1 sname name lang copy log detail opened orc rc
    sname=$(basename "$dir")
    if (cd "$dir" && sha256sum --quiet -c SHA256SUMS) >"$WORK/sha.log" 2>&1 &&
        [[ $(cd "$dir" && ls | grep -v '^SHA256SUMS$' | sort) == \
        "$(awk '{print $2}' "$dir/SHA256SUMS" | sort)" ]]; then
        pass "golden $sname: files match SHA256SUMS (frozen: every later 1.x library must keep reading them as the manifest says)"
    else
        fail "golden $sname: files differ from SHA256SUMS, or unlisted files: golden files must never change"
        show_log "$WORK/sha.log"
    fi

    mkdir -p "$WORK/expect-$sname"
    python3 "$HERE/golden_tool.py" expect "$dir/manifest.json" "$WORK/expect-$sname"
    local golden_files
    mapfile -t golden_files < <(python3 "$HERE/golden_tool.py" names "$dir/manifest.json")

    for name in "${golden_files[@]}"; do
        for lang in "${LANGS[@]}"; do
            # Opening as consumer writes the holder record: work on a copy, never on the original.
            copy=$WORK/golden-$sname-$lang
            mkdir -p "$copy"
            cp "$dir/$name" "$copy/$name"
            log=$copy/$name.log
            if (peer "$lang" golden "$copy/$name" "$WORK/expect-$sname/$name.expect") >"$log" 2>&1; then
                detail=$(tail -n 1 "$log")
                # A file that fails a check must not be modified (FORMAT.md section 3).
                opened=$(peer "$lang" open "$copy/$name" 2>&1) && orc=0 || orc=$?
                if [[ $detail == refused* ]] && ! cmp -s "$dir/$name" "$copy/$name"; then
                    fail "golden $sname/$name $lang: refused, but the file was modified"
                elif [[ $detail == refused* && ($orc != 1 || $opened != "${detail#refused }") ]]; then
                    fail "golden $sname/$name $lang: 'peer open' printed '$opened' (exit $orc), want '${detail#refused }' (exit 1)"
                else
                    pass "golden $sname/$name $lang: $detail"
                fi
            else
                fail "golden $sname/$name $lang"
                show_log "$log"
            fi
        done
    done

    # ---- 2. The CLI's compatibility check on the golden files (docs/CLI.md) ---------------
    for name in "${golden_files[@]}"; do
        rc=0
        "$CLI" check "$dir/$name" >"$WORK/check.out" 2>"$WORK/check.err" || rc=$?
        if python3 "$HERE/golden_tool.py" cli-check "$dir/manifest.json" "$name" "$rc" \
            "$WORK/check.out" "$WORK/check.err" >"$WORK/check.why" 2>&1; then
            pass "cli check $sname/$name: exit $rc, $(cat "$WORK/check.out" "$WORK/check.err" |
                grep -o '\[HFTIPC_[A-Z]*\]\|ok (format [0-9.]*\|format [0-9.]* is not\|format [0-9.]* file' |
                tr '\n' ' ')"
        else
            fail "cli check $sname/$name"
            show_log "$WORK/check.why"
        fi
        rc=0
        "$CLI" inspect --json "$dir/$name" >"$WORK/inspect.json" 2>/dev/null || rc=$?
        if python3 "$HERE/golden_tool.py" cli-inspect "$dir/manifest.json" "$name" "$rc" \
            "$WORK/inspect.json" >"$WORK/inspect.why" 2>&1; then
            pass "cli inspect --json $sname/$name: exit $rc"
        else
            fail "cli inspect --json $sname/$name"
            show_log "$WORK/inspect.why"
        fi
    done
    if [[ $(cd "$dir" && sha256sum --quiet -c SHA256SUMS 2>&1) == "" ]]; then
        pass "golden $sname: unchanged after every reader and the CLI ran"
    else
        fail "golden $sname: a reader or the CLI modified a golden file"
    fi
}

for dir in "${GOLDEN_SETS[@]}"; do
    golden_set "$dir"
done

# The format this library writes must have a frozen set, made by the generator, and the
# generator must be deterministic: two runs (other pid, other time) give identical bytes, so
# its normalisation covers every volatile field. It never writes into golden/ here.
fmt=$(sed -n 's/^#define HFTIPC_FORMAT_MAJOR \([0-9]*\).*/\1/p' "$CORE_DIR/include/hftipc.h").$(
    sed -n 's/^#define HFTIPC_FORMAT_MINOR \([0-9]*\).*/\1/p' "$CORE_DIR/include/hftipc.h")
if [[ ! -f $HERE/golden/v$fmt/manifest.json ]]; then
    fail "golden v$fmt: this library writes format $fmt, which has no frozen golden set: add the set to golden/gen_golden.c and freeze golden/v$fmt (docs/INTEROP.md)"
elif ! cc -O1 -std=c11 -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
    -DHFTIPC_STATIC_BUILD -I"$CORE_DIR/include" -I"$CORE_DIR/src" "$HERE/golden/gen_golden.c" \
    "$BUILD/libhftipc-interop.a" -o "$BUILD/gen_golden" >"$WORK/gen.log" 2>&1; then
    fail "golden generator: does not build"
    show_log "$WORK/gen.log"
elif "$BUILD/gen_golden" "$fmt" "$WORK/gen1" >"$WORK/gen.log" 2>&1 && sleep 0.01 &&
    "$BUILD/gen_golden" "$fmt" "$WORK/gen2" >>"$WORK/gen.log" 2>&1 &&
    diff -r "$WORK/gen1" "$WORK/gen2" >>"$WORK/gen.log" 2>&1; then
    pass "golden generator: set $fmt built twice by this library, byte-identical ($(ls "$WORK/gen1" | wc -l) files; volatile fields normalised)"
else
    fail "golden generator: set $fmt fails or differs between two runs"
    show_log "$WORK/gen.log"
fi

# ---- 3. Byte-identical layout from the same scenario in every language --------------------

mkdir -p "$WORK/layout"
layout_ok=()
for lang in "${LANGS[@]}"; do
    f=$WORK/layout/$lang.chan
    if (peer "$lang" scenario "$f") >"$f.log" 2>&1; then
        pass "layout scenario $lang: $(tail -n 1 "$f.log")"
        layout_ok+=("$lang")
    else
        fail "layout scenario $lang"
        show_log "$f.log"
    fi
done
# The comparator's field table (read from FORMAT.md) against core/src/format.h, and what it
# reports for a change of each field of a golden file.
if python3 "$HERE/test_compare_files.py" >"$WORK/layout/test.log" 2>&1; then
    pass "layout comparator: FORMAT.md's field table matches core/src/format.h member by member; every field, reserved byte and slot header change is reported by name ($(grep -o 'Ran [0-9]* tests' "$WORK/layout/test.log"))"
else
    fail "layout comparator tests (test_compare_files.py)"
    show_log "$WORK/layout/test.log"
fi
if [[ " ${layout_ok[*]} " == *" c "* ]]; then
    for lang in go java; do
        [[ " ${layout_ok[*]} " == *" $lang "* ]] || continue
        if python3 "$HERE/compare_files.py" "$WORK/layout/c.chan" "$WORK/layout/$lang.chan" \
            >"$WORK/layout/cmp-$lang.log" 2>&1; then
            pass "layout identical c = $lang (volatile fields of FORMAT.md masked, nothing else)"
        else
            fail "layout identical c = $lang: $(cat "$WORK/layout/cmp-$lang.log")"
        fi
    done
    # The comparator must see a difference outside the masked fields: flip creator_version.
    cp "$WORK/layout/c.chan" "$WORK/layout/flipped.chan"
    printf '\377' | dd of="$WORK/layout/flipped.chan" bs=1 seek=69 conv=notrunc status=none
    if ! python3 "$HERE/compare_files.py" "$WORK/layout/c.chan" "$WORK/layout/flipped.chan" \
        >"$WORK/layout/cmp-flip.log" 2>&1 && grep -q creator_version "$WORK/layout/cmp-flip.log"; then
        pass "layout comparator reports a flipped creator_version byte (offset 69)"
    else
        fail "layout comparator missed a flipped creator_version byte"
        show_log "$WORK/layout/cmp-flip.log"
    fi
fi

# ---- 4. Writer x reader matrix: separate processes running at the same time --------------

"$BUILD/c-peer" expect "$MESSAGES" "$SEED" 120 >"$WORK/expect.out"
EXPECTED=$(checksum_of "$WORK/expect.out")

for w in "${LANGS[@]}"; do
    for r in "${LANGS[@]}"; do
        ch=$WORK/matrix-$w-$r.chan
        "$CLI" create "$ch" --capacity 1024 --slot-size 128
        t0=$(date +%s%N)
        timeout "$PEER_TIMEOUT" "$BUILD/peer-$r" read "$ch" "$MESSAGES" "$SEED" >"$ch.read" 2>&1 &
        rpid=$!
        STARTED+=("$rpid")
        timeout "$PEER_TIMEOUT" "$BUILD/peer-$w" write "$ch" "$MESSAGES" "$SEED" >"$ch.write" 2>&1 &
        STARTED+=("$!")
        wait_both "$rpid" "$!"
        rc_r=$RC_A rc_w=$RC_B
        ms=$((($(date +%s%N) - t0) / 1000000))
        cw=$(checksum_of "$ch.write")
        cr=$(checksum_of "$ch.read")
        name="matrix writer=$w reader=$r"
        if [[ $rc_w == 0 && $rc_r == 0 && -n $cw && $cw == "$cr" && $cw == "$EXPECTED" ]]; then
            pass "$name: $MESSAGES messages of 0..120 bytes through 1024 slots, checksum $cw, $((ms / 1000)).$((ms % 1000 / 100)) s"
        else
            fail "$name: writer exit $rc_w checksum '$cw', reader exit $rc_r checksum '$cr', expected $EXPECTED"
            show_log "$ch.write" "$ch.read"
        fi
        rm -f "$ch"
    done
done

# ---- 5. Crash scenarios: kill -9 mid-stream, resume in another language ------------------

# wait_progress FILE TARGET PID: until FILE (a peer's progress counter) reaches TARGET, or PID
# exits, or 60 s pass. Returns 0 if the target was reached while PID still ran.
wait_progress() {
    local file=$1 target=$2 pid=$3 v deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)); do
        kill -0 "$pid" 2>/dev/null || return 1
        v=$(cat "$file" 2>/dev/null || true)
        [[ -n $v ]] && ((10#$v >= target)) && return 0
        sleep 0.01
    done
    return 1
}

# wait_head CHANNEL TARGET PID: the same for the channel's head cursor, read with the CLI.
wait_head() {
    local ch=$1 target=$2 pid=$3 h deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)); do
        kill -0 "$pid" 2>/dev/null || return 1
        h=$("$CLI" inspect --json "$ch" 2>/dev/null | grep -o '"head": *[0-9]*' | grep -o '[0-9]*$' || true)
        [[ -n $h ]] && ((h >= target)) && return 0
        sleep 0.01
    done
    return 1
}

# crash_consumer KILLED1 KILLED2 FINISHER: a C producer streams CRASH_MESSAGES messages; a
# KILLED1 consumer (peek, verify, record progress, ack) is killed with SIGKILL at 1/4 of the
# stream, a KILLED2 consumer resumes and is killed at 1/2, a FINISHER consumer resumes and
# consumes the rest. Each resumed consumer must start at the recorded progress or one before
# it: nothing lost, at most one message delivered again per kill (FORMAT.md 5, peek/ack).
crash_consumer() {
    local k1=$1 k2=$2 fin=$3 n=$CRASH_MESSAGES
    local name="crash consumer $k1 -> kill -9 -> $k2 -> kill -9 -> $fin"
    local ch=$WORK/crash-consumer-$k1-$k2-$fin.chan prog=$WORK/progress-$k1-$k2-$fin
    local why=() wpid pid start p rc redeliveries=()
    "$CLI" create "$ch" --capacity 1024 --slot-size 128
    timeout "$PEER_TIMEOUT" "$BUILD/peer-c" write "$ch" "$n" "$SEED" >"$ch.write" 2>&1 &
    wpid=$!
    STARTED+=("$wpid")
    local stage lang target
    for stage in 1 2; do
        [[ $stage == 1 ]] && lang=$k1 target=$((n / 4))
        [[ $stage == 2 ]] && lang=$k2 target=$((n / 2))
        "$BUILD/peer-$lang" read-ack "$ch" "$n" "$SEED" "$prog" 100 >"$ch.read$stage" 2>&1 &
        pid=$!
        STARTED+=("$pid")
        if wait_progress "$prog" "$target" "$pid"; then
            kill -9 "$pid"
            wait "$pid" 2>/dev/null || true
            p=$(cat "$prog")
            p=$((10#$p))
            [[ $stage == 1 ]] && local p1=$p
            [[ $stage == 2 ]] && local p2=$p
        else
            why+=("$lang consumer ended before it could be killed")
            show_log "$ch.read$stage"
        fi
    done
    timeout "$PEER_TIMEOUT" "$BUILD/peer-$fin" read-ack "$ch" "$n" "$SEED" "$prog" >"$ch.read3" 2>&1 &
    STARTED+=("$!")
    wait_both "$!" "$wpid"
    [[ $RC_A == 0 ]] || why+=("$fin consumer failed (exit $RC_A)")
    [[ $RC_B == 0 ]] || why+=("C producer failed (exit $RC_B)")
    # Resume points: "read-ack start=S" of consumers 2 and 3 against progress at each kill.
    local s2 s3
    s2=$(sed -n 's/^read-ack start=//p' "$ch.read2")
    s3=$(sed -n 's/^read-ack start=//p' "$ch.read3")
    if [[ -n ${p1:-} && -n $s2 ]]; then
        ((s2 == p1 || s2 == p1 - 1)) || why+=("$k2 resumed at $s2 after $k1 had verified $p1")
        redeliveries+=($((p1 - s2)))
    fi
    if [[ -n ${p2:-} && -n $s3 ]]; then
        ((s3 == p2 || s3 == p2 - 1)) || why+=("$fin resumed at $s3 after $k2 had verified $p2")
        redeliveries+=($((p2 - s3)))
    fi
    grep -q "^read-ack end=$n\$" "$ch.read3" || why+=("$fin did not reach message $n")
    [[ $(checksum_of "$ch.write") == "$(checksum_of "$WORK/crash-expect.out")" ]] ||
        why+=("producer checksum differs")
    "$CLI" inspect --json "$ch" >"$ch.json" 2>/dev/null || why+=("inspect failed")
    [[ $(json_int "$ch.json" tail) == "$n" ]] || why+=("tail is $(json_int "$ch.json" tail), want $n")
    local tk
    tk=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["consumer"]["takeovers"])' "$ch.json")
    [[ $tk == 2 ]] || why+=("consumer takeovers $tk, want 2")
    if ((${#why[@]} == 0)); then
        pass "$name: killed at $p1 and $p2 of $n, resumed at $s2 and $s3 (redelivered ${redeliveries[*]}), takeovers 2, no loss"
    else
        fail "$name: ${why[*]}"
        show_log "$ch.read1" "$ch.read2" "$ch.read3" "$ch.write"
    fi
    rm -f "$ch"
}

# crash_producer KILLED FINISHER READER: a READER consumes and verifies CRASH_MESSAGES
# messages while a KILLED producer (paced) is killed with SIGKILL at 1/3 of the stream and a
# FINISHER producer resumes at the persisted head. The reader checks every message's bytes, so
# a torn message fails it; its stream checksum must equal the expected one.
crash_producer() {
    local k=$1 fin=$2 rd=$3 n=$CRASH_MESSAGES
    local name="crash producer $k -> kill -9 -> $fin (reader $rd)"
    local ch=$WORK/crash-producer-$k-$fin.chan why=() rpid pid rc head_at_kill=? s2
    "$CLI" create "$ch" --capacity 1024 --slot-size 128
    timeout "$PEER_TIMEOUT" "$BUILD/peer-$rd" read "$ch" "$n" "$SEED" >"$ch.read" 2>&1 &
    rpid=$!
    STARTED+=("$rpid")
    "$BUILD/peer-$k" write "$ch" "$n" "$SEED" 100 >"$ch.write1" 2>&1 &
    pid=$!
    STARTED+=("$pid")
    if wait_head "$ch" $((n / 3)) "$pid"; then
        kill -9 "$pid"
        wait "$pid" 2>/dev/null || true
        head_at_kill=$("$CLI" inspect --json "$ch" 2>/dev/null | grep -o '"head": *[0-9]*' | grep -o '[0-9]*$')
    else
        why+=("$k producer ended before it could be killed")
        show_log "$ch.write1"
    fi
    timeout "$PEER_TIMEOUT" "$BUILD/peer-$fin" write "$ch" "$n" "$SEED" >"$ch.write2" 2>&1 &
    STARTED+=("$!")
    wait_both "$!" "$rpid"
    [[ $RC_A == 0 ]] || why+=("$fin producer failed (exit $RC_A)")
    [[ $RC_B == 0 ]] || why+=("$rd reader failed (exit $RC_B): a lost, repeated or torn message")
    s2=$(sed -n 's/^write start=\([0-9]*\).*/\1/p' "$ch.write2")
    [[ $s2 == "$head_at_kill" ]] || why+=("$fin resumed at '$s2', head after the kill was $head_at_kill")
    [[ $(checksum_of "$ch.read") == "$(checksum_of "$WORK/crash-expect.out")" ]] ||
        why+=("reader checksum $(checksum_of "$ch.read") differs from the expected one")
    "$CLI" inspect --json "$ch" >"$ch.json" 2>/dev/null || why+=("inspect failed")
    local tk
    tk=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["producer"]["takeovers"])' "$ch.json")
    [[ $tk == 1 ]] || why+=("producer takeovers $tk, want 1")
    if ((${#why[@]} == 0)); then
        pass "$name: killed at head $head_at_kill of $n, $fin resumed there, every message verified, takeovers 1"
    else
        fail "$name: ${why[*]}"
        show_log "$ch.write1" "$ch.write2" "$ch.read"
    fi
    rm -f "$ch"
}

"$BUILD/c-peer" expect "$CRASH_MESSAGES" "$SEED" 120 >"$WORK/crash-expect.out"
crash_consumer go java c
crash_consumer java c go
crash_producer java c go
crash_producer go java c

# ---- 6. MPSC: a C, a Go and a Java producer writing into one channel, a C consumer ----------
# The C consumer creates the MPSC channel (the CLI's create knows only spsc) and checks every
# message: its producer's next sequence number (per-producer order, nothing lost or repeated)
# and every byte. Producer ids: 0 = C, 1 = Go, 2 = Java.

MPSC_LANGS=(c go java)

# wait_pids PID...: wait for background peers; as soon as one fails, stop the others. Sets
# RCS to their exit statuses, in order.
wait_pids() {
    local pids=("$@") i n=$# left=$# failed=0
    RCS=()
    while ((left > 0)); do
        for ((i = 0; i < n; i++)); do
            [[ -z ${RCS[i]:-} ]] || continue
            kill -0 "${pids[i]}" 2>/dev/null && continue
            wait "${pids[i]}" && RCS[i]=0 || RCS[i]=$?
            left=$((left - 1))
            [[ ${RCS[i]} == 0 ]] || failed=1
        done
        if ((failed)); then
            for ((i = 0; i < n; i++)); do
                [[ -n ${RCS[i]:-} ]] || kill "${pids[i]}" 2>/dev/null || true
            done
        fi
        ((left > 0)) && sleep 0.02
    done
    return 0
}

# mpsc_field FILE ID KEY: KEY=VALUE of the "mpsc-read id=ID" line (or of "mpsc-write id=ID").
mpsc_field() { sed -n "s/^mpsc-[a-z]* id=$2 .*$3=\([0-9a-f]*\).*/\1/p" "$1" | tail -n 1; }
# mpsc_total FILE KEY: KEY=VALUE of the consumer's "mpsc-read total=" line.
mpsc_total() { grep '^mpsc-read total=' "$1" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# mpsc_start CH PACE [KILLED]: start the C consumer (creating CH), wait for the file, then the
# three producers at once (producer KILLED without `timeout`, so that its pid is the peer's).
# Sets MPSC_CPID and MPSC_PIDS (producers, in MPSC_LANGS order).
mpsc_start() {
    local ch=$1 pace=$2 killed=${3:-} id deadline=$((SECONDS + 30)) tmo
    timeout "$PEER_TIMEOUT" "$BUILD/peer-c" mpsc-read "$ch" 3 "$MPSC_MESSAGES" "$SEED" "$ch.stop" \
        >"$ch.read" 2>&1 &
    MPSC_CPID=$!
    STARTED+=("$MPSC_CPID")
    # The file appears only once initialised (FORMAT.md), so producers may open it at once.
    while [[ ! -e $ch ]] && kill -0 "$MPSC_CPID" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.01
    done
    MPSC_PIDS=()
    for id in 0 1 2; do
        tmo=(timeout "$PEER_TIMEOUT")
        [[ $id == "$killed" ]] && tmo=()
        "${tmo[@]}" "$BUILD/peer-${MPSC_LANGS[id]}" mpsc-write "$ch" "$id" 3 "$MPSC_MESSAGES" "$SEED" "$pace" \
            >"$ch.write$id" 2>&1 &
        MPSC_PIDS+=("$!")
        STARTED+=("$!")
    done
}

# mpsc_expect ID COUNT: the checksum of producer ID's first COUNT messages.
mpsc_expect() { "$BUILD/c-peer" mpsc-expect "$1" "$2" "$SEED" 120 | checksum_of /dev/stdin; }

# Case A: all three producers send MPSC_MESSAGES messages each.
mpsc_all() {
    local ch=$WORK/mpsc.chan why=() id n=$MPSC_MESSAGES t0 ms cw cr ce got
    t0=$(date +%s%N)
    mpsc_start "$ch" 0
    # Producers wait for each other, so a peer that dies early must not leave the rest waiting.
    wait_pids "$MPSC_CPID" "${MPSC_PIDS[@]}"
    ms=$((($(date +%s%N) - t0) / 1000000))
    [[ ${RCS[0]} == 0 ]] || why+=("C consumer failed (exit ${RCS[0]})")
    for id in 0 1 2; do
        [[ ${RCS[id + 1]} == 0 ]] || why+=("${MPSC_LANGS[id]} producer failed (exit ${RCS[id + 1]})")
        cw=$(mpsc_field "$ch.write$id" "$id" checksum)
        cr=$(mpsc_field "$ch.read" "$id" checksum)
        got=$(mpsc_field "$ch.read" "$id" count)
        ce=$(mpsc_expect "$id" "$n")
        [[ $got == "$n" ]] || why+=("${MPSC_LANGS[id]}: consumer got '$got' of $n")
        [[ -n $cw && $cw == "$cr" && $cw == "$ce" ]] ||
            why+=("${MPSC_LANGS[id]}: producer checksum '$cw', consumer '$cr', expected $ce")
    done
    [[ $(mpsc_total "$ch.read" abandoned) == 0 ]] || why+=("abandoned $(mpsc_total "$ch.read" abandoned), want 0")
    [[ $(mpsc_total "$ch.read" switches) -gt 0 ]] 2>/dev/null || why+=("producers did not interleave")
    if ((${#why[@]} == 0)); then
        pass "mpsc producers c+go+java -> c consumer: 3 x $n messages of 8..120 bytes through 1024 slots, per-producer order and bytes verified, checksums agree, $(mpsc_total "$ch.read" switches) producer switches, $((ms / 1000)).$((ms % 1000 / 100)) s"
    else
        fail "mpsc producers c+go+java -> c consumer: ${why[*]}"
        show_log "$ch.read" "$ch.write0" "$ch.write1" "$ch.write2"
    fi
    rm -f "$ch"
}

# Case B: the same, paced (100 messages per ms each), and the Go producer killed with SIGKILL
# once the ring's head passes MPSC_MESSAGES (about a third of each stream). The consumer must
# get every message of C and Java and a gap-free prefix of Go's (it checks sequence numbers and
# bytes, so a torn, lost or repeated message fails it); a claim Go held when it died is skipped
# and counted as abandoned: head = messages delivered + abandoned.
mpsc_kill() {
    local ch=$WORK/mpsc-kill.chan why=() id n=$MPSC_MESSAGES killed=1 cw cr ce got g=? total ab head tail
    mpsc_start "$ch" 100 "$killed"
    if wait_head "$ch" "$n" "${MPSC_PIDS[killed]}"; then
        kill -9 "${MPSC_PIDS[killed]}"
        wait "${MPSC_PIDS[killed]}" 2>/dev/null || true
    else
        why+=("go producer ended before it could be killed")
    fi
    wait_pids "${MPSC_PIDS[0]}" "${MPSC_PIDS[2]}"
    [[ ${RCS[0]} == 0 ]] || why+=("c producer failed (exit ${RCS[0]})")
    [[ ${RCS[1]} == 0 ]] || why+=("java producer failed (exit ${RCS[1]})")
    : >"$ch.stop" # every producer is gone: the consumer drains the ring and stops
    wait_pids "$MPSC_CPID"
    [[ ${RCS[0]} == 0 ]] || why+=("C consumer failed (exit ${RCS[0]}): a lost, repeated, reordered or torn message")
    for id in 0 2; do
        cw=$(mpsc_field "$ch.write$id" "$id" checksum)
        cr=$(mpsc_field "$ch.read" "$id" checksum)
        got=$(mpsc_field "$ch.read" "$id" count)
        ce=$(mpsc_expect "$id" "$n")
        [[ $got == "$n" ]] || why+=("${MPSC_LANGS[id]}: consumer got '$got' of $n")
        [[ -n $cw && $cw == "$cr" && $cw == "$ce" ]] ||
            why+=("${MPSC_LANGS[id]}: producer checksum '$cw', consumer '$cr', expected $ce")
    done
    g=$(mpsc_field "$ch.read" 1 count)
    if [[ -n $g ]] && ((g > 0 && g < n)); then
        [[ $(mpsc_field "$ch.read" 1 checksum) == "$(mpsc_expect 1 "$g")" ]] ||
            why+=("go: checksum of the $g messages delivered is not that of its first $g")
    else
        why+=("go: consumer got '$g' messages, want a prefix strictly between 0 and $n")
    fi
    total=$(mpsc_total "$ch.read" total)
    ab=$(mpsc_total "$ch.read" abandoned)
    head=$(mpsc_total "$ch.read" head)
    tail=$(mpsc_total "$ch.read" tail)
    if [[ -n $total && -n $ab && -n $head ]]; then
        [[ $head == "$tail" ]] || why+=("consumer stopped at tail $tail, head $head")
        ((head == total + ab)) || why+=("head $head != delivered $total + abandoned $ab")
        ((total == 2 * n + ${g:-0})) 2>/dev/null || why+=("delivered $total, want $((2 * n)) + $g")
    else
        why+=("no consumer summary")
    fi
    if ((${#why[@]} == 0)); then
        pass "mpsc producers c+go+java, go killed -9 -> c consumer: c and java 2 x $n verified, go's first $g of $n (gap-free, checksum of its prefix), abandoned $ab, head $head = delivered + abandoned"
    else
        fail "mpsc producers c+go+java, go killed -9: ${why[*]}"
        show_log "$ch.read" "$ch.write0" "$ch.write1" "$ch.write2"
    fi
    rm -f "$ch" "$ch.stop"
}

mpsc_all
mpsc_kill

SUMMARY=1
echo "interop: $PASSED passed, $FAILED failed"
((FAILED == 0))
