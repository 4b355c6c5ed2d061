#!/usr/bin/env bash
# The hftipc demo: a quote pipeline across three processes in three languages.
#
#   Go gateway --(quotes channel)--> C engine --(book channel)--> JVM service
#
# The gateway (bindings/go/examples/gateway) renders a random walk of quotes as JSON, parses
# each back as a feed handler would, and writes it as a 64-byte binary record into the quotes
# channel. The engine (demo/engine/engine.c) keeps a per-symbol book and publishes a 96-byte
# book update per quote into the book channel. The service (demo/service/Service.java) prints a
# rolling summary every second. At the end this script prints the count, throughput and
# latency at each hop, fails if any count disagrees, and leaves both channels for inspection.
#
# Run `scripts/demo.sh --help` for the options. `scripts/demo.sh --c-only` runs the original
# two-process C demo (examples/c/demo.c).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/preset.sh
source "$root/scripts/lib/preset.sh"
build="${HFTIPC_DEMO_BUILD_DIR:-$root/build-demo}" # the gateway, the service's classes, logs

usage() {
    cat <<'EOF'
usage: scripts/demo.sh [OPTIONS]
       scripts/demo.sh --c-only [hftipc_demo options]

Runs the quote pipeline: a Go gateway writes binary quotes into a channel, a C engine keeps a
per-symbol book and publishes book updates into a second channel, a JVM service prints a
rolling summary. Builds what is missing first: the C engine and the hftipc CLI with the
release preset (build-release/), the gateway and the service into build-demo/. At the end it
prints the messages, throughput and latency at each hop and exits non-zero if any message was
lost.

Options:
  -n, --count N    quotes the gateway sends (default 2000000)
  -r, --rate N     quotes per second; 0 = as fast as the pipeline goes, which measures
                   throughput, while the latency then includes time queued in full rings
                   (default 150000)
  -d, --dir DIR    directory of the channel files (default $HFTIPC_DEMO_DIR, else /dev/shm,
                   else /tmp if /dev/shm is missing or not writable)
      --keep       leave the channel files after the run, for `hftipc inspect` (default)
      --clean      remove the channel files after the run
  -q, --quiet      no rolling summary, only the final report
      --c-only     run the original two-process C demo instead (build-release/examples/
                   hftipc_demo); the remaining arguments go to it (try --c-only --help)
  -h, --help       this help

Needs: a C compiler, CMake and Ninja (scripts/install-deps.sh probes them and installs what is
missing with apt), Go 1.24+ (bindings/go/go.mod) and a JDK 17+ on the PATH (not installed by
this script), and Maven + SWIG only if the Java binding's jar (bindings/java/target/hftipc-*.jar)
has not been built yet (scripts/install-deps.sh --java).

Channel files: DIR/hftipc-demo-quotes (4096 slots of 72 bytes) and DIR/hftipc-demo-book (4096
slots of 104 bytes); both are replaced at the start of each run.

Latency: every record carries CLOCK_REALTIME nanosecond timestamps (Go time.Now().UnixNano(),
C clock_gettime(CLOCK_REALTIME), Java Instant.now() plus System.nanoTime() deltas), because Go
cannot read CLOCK_MONOTONIC directly; all three processes read the same kernel clock. The
gateway stamps a quote before rendering it as JSON, so the first hop includes the JSON work.
EOF
}

count=2000000
rate=150000
dir="${HFTIPC_DEMO_DIR:-}"
keep=1
quiet=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        -n | --count) count="${2:?--count needs a value}"; shift 2 ;;
        --count=*) count="${1#*=}"; shift ;;
        -r | --rate) rate="${2:?--rate needs a value}"; shift 2 ;;
        --rate=*) rate="${1#*=}"; shift ;;
        -d | --dir) dir="${2:?--dir needs a value}"; shift 2 ;;
        --dir=*) dir="${1#*=}"; shift ;;
        --keep) keep=1; shift ;;
        --clean) keep=0; shift ;;
        -q | --quiet) quiet=1; shift ;;
        -h | --help) usage; exit 0 ;;
        --c-only)
            shift
            bash "$root/scripts/install-deps.sh"
            cbuild="${HFTIPC_BUILD_DIR:-$(preset_dir release)}"
            echo "demo.sh: building hftipc_demo (release preset, $cbuild)" >&2
            preset_configure release "${HFTIPC_BUILD_DIR:-}" || exit 1
            preset_build "$cbuild" hftipc_demo || exit 1
            exec "$cbuild/examples/hftipc_demo" "$@"
            ;;
        *) echo "demo.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
done
[[ "$count" =~ ^[0-9]+$ && "$count" -ge 1 ]] || { echo "demo.sh: --count must be a positive integer, not '$count'" >&2; exit 2; }
[[ "$rate" =~ ^[0-9]+$ ]] || { echo "demo.sh: --rate must be a non-negative integer, not '$rate'" >&2; exit 2; }

say() { echo "demo.sh: $*" >&2; }
fail() {
    echo "demo.sh: error: $*" >&2
    exit 1
}

# ---- Tools ---------------------------------------------------------------------------------
bash "$root/scripts/install-deps.sh" ||
    fail "the C toolchain is incomplete and could not be installed (why: above); run 'sudo scripts/install-deps.sh'"
go_min="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$root/bindings/go/go.mod")"
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
    PATH="$PATH:/usr/local/go/bin"
fi
command -v go >/dev/null 2>&1 ||
    fail "Go is not on the PATH: the demo's gateway is a Go program. Install Go $go_min or later (bindings/go/go.mod; https://go.dev/dl/, e.g. into /usr/local/go) and add its bin directory to PATH; scripts/install-deps.sh does not install Go."
command -v javac >/dev/null 2>&1 && command -v java >/dev/null 2>&1 ||
    fail "a JDK (java and javac) is not on the PATH: the demo's service is a Java program. Install a JDK 17+: scripts/install-deps.sh --java installs one (openjdk-17-jdk-headless) with what the Java build needs."

# ---- Where the channels go -----------------------------------------------------------------
if [[ -z "$dir" ]]; then
    if [[ -d /dev/shm && -w /dev/shm ]]; then
        dir=/dev/shm
    else
        dir=/tmp
        say "note: /dev/shm is missing or not writable; using /tmp (a disk-backed file system works, but"
        say "      page cache write-back can add latency). Set HFTIPC_DEMO_DIR or --dir to choose."
    fi
fi
[[ -d "$dir" ]] || fail "channel directory $dir does not exist (create it, or pass --dir)"
[[ -w "$dir" ]] || fail "channel directory $dir is not writable by $(id -un) (pass --dir with a writable directory)"
need_kib=2048 # 4096 x 72 + 4096 x 104 bytes plus headers, rounded up
free_kib="$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')"
if [[ -n "$free_kib" && "$free_kib" -lt "$need_kib" ]]; then
    fail "only ${free_kib} KiB free in $dir ($(df -P "$dir" | awk 'NR == 2 { print $6 }')); the demo's two channels need about ${need_kib} KiB. Free space there (e.g. remove old channel files: ls -la $dir) or pass --dir DIR on another file system."
fi
quotes="$dir/hftipc-demo-quotes"
book="$dir/hftipc-demo-book"

# ---- Build what is missing -----------------------------------------------------------------
mkdir -p "$build/bin" "$build/java/classes" "$build/logs"
cbuild="${HFTIPC_BUILD_DIR:-$(preset_dir release)}"
say "building the C engine and the hftipc CLI (release preset, $cbuild)"
preset_configure release "${HFTIPC_BUILD_DIR:-}" || fail "configuring the release preset failed (output above)"
preset_build "$cbuild" hftipc_engine hftipc_cli || fail "building the C engine and the CLI failed (output above)"
engine="$cbuild/demo/hftipc_engine"
cli="$cbuild/tools/hftipc"

say "building the Go gateway (bindings/go/examples/gateway)"
(cd "$root/bindings/go" && GOFLAGS=-mod=mod GOPROXY=off CGO_ENABLED=1 \
    go build -o "$build/bin/hftipc_gateway" ./examples/gateway) ||
    fail "building the Go gateway failed (needs cgo: a C compiler on the PATH and CGO_ENABLED=1)"

jar="$(ls "$root"/bindings/java/target/hftipc-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -n 1 || true)"
if [[ -z "$jar" ]]; then
    say "building the Java binding's jar (mvn package in bindings/java; SWIG and Maven needed)"
    command -v mvn >/dev/null 2>&1 || fail "Maven (mvn) is missing and bindings/java has no jar yet: apt-get install maven, or build the jar elsewhere"
    bash "$root/scripts/install-deps.sh" --java ||
        fail "what the Java build needs is missing (above): run 'sudo scripts/install-deps.sh --java'"
    # Maven's output (and its terminal codes) goes to a log: stdout is the demo's report.
    (cd "$root/bindings/java" && mvn -B -q -DskipTests package) >"$build/logs/mvn.log" 2>&1 ||
        { tail -n 40 "$build/logs/mvn.log" | sed 's/^/    | /' >&2; fail "mvn -B -q -DskipTests package in bindings/java failed (its last 40 lines above; log $build/logs/mvn.log)"; }
    jar="$(ls "$root"/bindings/java/target/hftipc-*.jar | grep -v -e sources -e javadoc | head -n 1)"
fi
# A private copy, so that a rebuild of bindings/java during the run does not pull it away.
if [[ ! -f "$build/java/hftipc.jar" || "$jar" -nt "$build/java/hftipc.jar" ]]; then
    cp "$jar" "$build/java/hftipc.jar"
fi
if [[ ! -f "$build/java/classes/Service.class" || "$root/demo/service/Service.java" -nt "$build/java/classes/Service.class" ||
    "$build/java/hftipc.jar" -nt "$build/java/classes/Service.class" ]]; then
    say "compiling the Java service (javac)"
    javac -d "$build/java/classes" -cp "$build/java/hftipc.jar" "$root/demo/service/Service.java" ||
        fail "compiling demo/service/Service.java failed"
fi

# ---- Run -----------------------------------------------------------------------------------
logs="$build/logs"
rm -f "$quotes" "$book" "$logs/gateway.log" "$logs/engine.log" "$logs/service.log"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'echo; say "interrupted"; exit 130' INT TERM

alive() { kill -0 "$1" 2>/dev/null; }
wait_ready() { # name pid log
    local i
    for ((i = 0; i < 600; i++)); do
        grep -q '^[a-z]*: ready' "$3" 2>/dev/null && return 0
        if ! alive "$2"; then
            cat "$3" >&2
            fail "the $1 stopped before it was ready (its output is above; full log: $3)"
        fi
        sleep 0.05
    done
    cat "$3" >&2
    fail "the $1 did not start within 30 s (log: $3)"
}

quiet_flag=()
[[ $quiet -eq 1 ]] && quiet_flag=(--quiet)
echo "demo.sh: channels: $quotes -> $book   ($count quotes at $([[ $rate -eq 0 ]] && echo "full speed" || echo "$rate/s"))"
java -cp "$build/java/hftipc.jar:$build/java/classes" Service --path "$book" "${quiet_flag[@]}" \
    >"$logs/service.log" 2>&1 &
svc=$!
pids+=("$svc")
wait_ready service "$svc" "$logs/service.log"
"$engine" --in "$quotes" --out "$book" >"$logs/engine.log" 2>&1 &
eng=$!
pids+=("$eng")
wait_ready engine "$eng" "$logs/engine.log"
say "$(grep '^service: ready' "$logs/service.log")"
say "$(grep '^engine: ready' "$logs/engine.log")"
# The rolling summary, as the service prints it.
tail -n +2 -f --pid="$svc" "$logs/service.log" 2>/dev/null |
    grep --line-buffered -v -e '^RESULT' -e '^service: ' -e ' updates [0-9,]*$' &
pids+=("$!")

start=$SECONDS
"$build/bin/hftipc_gateway" -path "$quotes" -count "$count" -rate "$rate" >"$logs/gateway.log" 2>&1 &
gw=$!
pids+=("$gw")
gw_rc=0
wait "$gw" || gw_rc=$?
if [[ $gw_rc -ne 0 ]]; then
    cat "$logs/gateway.log" >&2
    fail "the gateway failed (exit $gw_rc); output above, log $logs/gateway.log"
fi

# The engine and the service stop at the end-of-stream record; give them time to drain.
for name in engine service; do
    pid=$eng
    [[ $name == service ]] && pid=$svc
    for ((i = 0; i < 600 && $(alive "$pid" && echo 1 || echo 0); i++)); do sleep 0.1; done
    if alive "$pid"; then
        fail "the $name did not finish within 60 s of the gateway's end of stream (log: $logs/$name.log)"
    fi
done
eng_rc=0
wait "$eng" || eng_rc=$?
svc_rc=0
wait "$svc" || svc_rc=$?
sleep 0.2 # let the summary tail print its last lines
elapsed=$((SECONDS - start))

# ---- Report --------------------------------------------------------------------------------
field() { # log key
    grep '^RESULT' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}
gw_sent="$(sed -n 's/^gateway: sent \([0-9]*\) quotes.*/\1/p' "$logs/gateway.log")"
gw_rate="$(sed -n 's/.* (\([0-9]*\)\/s);.*/\1/p' "$logs/gateway.log")"
e_recv="$(field "$logs/engine.log" received)"
e_pub="$(field "$logs/engine.log" published)"
s_recv="$(field "$logs/service.log" received)"
if [[ -z "$gw_sent" || -z "$e_recv" || -z "$s_recv" ]]; then
    for f in gateway engine service; do
        echo "--- $f ($logs/$f.log)" >&2
        tail -n 20 "$logs/$f.log" >&2
    done
    fail "a process did not report its counts (engine exit $eng_rc, service exit $svc_rc)"
fi

echo
grep -v '^RESULT' "$logs/engine.log" | grep -v '^engine: ready' || true
grep -e '^service: received' -e '^service: last' -e ' updates [0-9,]*$' "$logs/service.log" || true
echo
awk -v gw_sent="$gw_sent" -v gw_rate="$gw_rate" -v elapsed="$elapsed" \
    -v eres="$(grep '^RESULT' "$logs/engine.log")" -v sres="$(grep '^RESULT' "$logs/service.log")" '
function get(s, k,   n, a, i, kv) {
    n = split(s, a, " ")
    for (i = 1; i <= n; i++) { split(a[i], kv, "="); if (kv[1] == k) return kv[2] }
    return ""
}
function us(ns) { return sprintf("%.1f us", ns / 1000) }
function grp(n,   s) { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s); return s }
BEGIN {
    e_recv = get(eres, "received"); e_pub = get(eres, "published"); s_recv = get(sres, "received")
    e_secs = get(eres, "secs"); s_secs = get(sres, "secs")
    e2e_secs = (get(sres, "last_ns") - get(eres, "first_ns")) / 1e9
    printf "%-26s %12s %14s %10s %10s %10s\n", "hop", "messages", "throughput", "p50", "p99", "max"
    printf "%-26s %12s %14s\n", "gateway sent", grp(gw_sent), grp(gw_rate) "/s"
    printf "%-26s %12s %14s %10s %10s %10s\n", "gateway -> engine", grp(e_recv),
        (e_secs > 0 ? grp(e_recv / e_secs) "/s" : "-"), us(get(eres, "p50_ns")), us(get(eres, "p99_ns")), us(get(eres, "max_ns"))
    printf "%-26s %12s\n", "engine published", grp(e_pub)
    printf "%-26s %12s %14s %10s %10s %10s\n", "engine -> service", grp(s_recv),
        (s_secs > 0 ? grp(s_recv / s_secs) "/s" : "-"), us(get(sres, "eng_p50_ns")), us(get(sres, "eng_p99_ns")), us(get(sres, "eng_max_ns"))
    printf "%-26s %12s %14s %10s %10s %10s\n", "end to end (gw -> service)", grp(s_recv),
        (e2e_secs > 0 ? grp(s_recv / e2e_secs) "/s" : "-"), us(get(sres, "e2e_p50_ns")), us(get(sres, "e2e_p99_ns")), us(get(sres, "e2e_max_ns"))
    neg = get(eres, "negative") + get(sres, "negative")
    if (neg > 0) printf "(%d latency samples were negative and counted as 0: the realtime clock was adjusted during the run)\n", neg
}'
echo "Latency from CLOCK_REALTIME ns stamps in the records (Go cannot read CLOCK_MONOTONIC; all"
echo "three processes read the same kernel clock); the first hop starts before the gateway's JSON"
echo "rendering and parsing. Throughput: messages / (last - first arrival) at the receiving side."
echo "Wall time from the gateway's start: ${elapsed} s."
echo

status=0
if [[ "$gw_sent" == "$count" && "$e_recv" == "$gw_sent" && "$e_pub" == "$e_recv" && "$s_recv" == "$e_pub" && $eng_rc -eq 0 && $svc_rc -eq 0 ]]; then
    echo "demo.sh: counts agree at every hop: $gw_sent sent, $e_recv received and $e_pub published by the engine, $s_recv received by the service. Nothing lost."
else
    echo "demo.sh: COUNTS DISAGREE: asked $count, gateway sent ${gw_sent}, engine received ${e_recv} and published ${e_pub}, service received ${s_recv} (engine exit $eng_rc, service exit $svc_rc; gaps: engine $(field "$logs/engine.log" gaps), service $(field "$logs/service.log" gaps))" >&2
    status=1
fi
pids=()
if [[ $keep -eq 1 ]]; then
    echo "The channels stay in place. Look at them with:"
    echo "  $cli inspect $quotes"
    echo "  $cli inspect $book"
    echo "Remove them with: rm $quotes $book   (logs: $logs/)"
else
    rm -f "$quotes" "$book"
    echo "Removed the channels (--clean). Logs: $logs/"
fi
exit $status
