#!/usr/bin/env bash
# The hftipc demo: a quote pipeline across three processes in three languages.
#
#   Go gateway --(quotes channel)--> C engine --(book channel)--> JVM service
#
# It runs the pipeline twice: flat out, to measure throughput, and then at a fixed offered rate
# well below capacity, with spinning waits pinned to CPUs when the machine has enough of them,
# to measure the transport's latency per hop and end to end (p50, p99, p99.9, max), on a
# machine it describes.
#
# The gateway (bindings/go/examples/gateway) renders a random walk of quotes as JSON, parses
# each back as a feed handler would, and writes it as a 64-byte binary record into the quotes
# channel. The engine (demo/engine/engine.c) keeps a per-symbol book and publishes a 96-byte
# book update per quote into the book channel. The service (demo/service/Service.java) prints a
# rolling summary every second. After each run this script prints the count, throughput and
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
rolling summary. Builds what is missing first, quietly (the output goes to logs and is shown
only if a build fails): the C engine and the hftipc CLI with the release preset
(build-release/), the gateway and the service into build-demo/. Two runs:

  1. Throughput: --count quotes as fast as the pipeline takes them (or at --rate). The latency
     of this run includes the time quotes wait in full rings.
  2. Latency at a fixed rate: --latency-count quotes (after --warmup more) offered at
     --latency-rate, well below capacity; the gateway stamps each quote just before its send.
     With at least four CPUs the three processes are pinned to CPUs of their own, the gateway
     spins towards each quote's due time, and the engine and the service poll an empty ring
     for up to --spin-us after the last message before they sleep. With fewer CPUs, three
     spinning processes would take turns on the CPUs and measure the scheduler, so nothing is
     pinned, the gateway sleeps between quotes, and the engine and the service use the
     library's bounded spin (about a microsecond, then a few yields) before they sleep on the
     channel's futex. The report says which. It prints p50, p99, p99.9 and max per hop and end
     to end, and describes the machine.

After each run it prints the messages and latency at each hop and exits non-zero if any
message was lost.

Options:
  -n, --count N    quotes of the throughput run (default 2000000)
  -r, --rate N     quotes per second of the throughput run; 0 = as fast as the pipeline goes
                   (default 0)
      --latency-rate N
                   quotes per second of the latency run (default 100000)
      --latency-count N
                   quotes of the latency run that are measured (default 500000)
      --warmup N   quotes sent before those of the latency run and left out of its figures:
                   the JVM compiles the service meanwhile (default 50000)
      --spin-us N  how long the engine and the service poll an empty ring in the latency run
                   before they sleep; when N > 0 the gateway spins too (default auto: 200
                   with at least four CPUs, else 0)
      --only throughput|latency
                   run only one of the two
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
slots of 104 bytes); both are replaced at the start of each run, and the last run's stay.

Latency: every record carries CLOCK_REALTIME nanosecond timestamps (Go time.Now().UnixNano(),
C clock_gettime(CLOCK_REALTIME), Java Instant.now() plus System.nanoTime() deltas); all three
processes read the same kernel clock. In the throughput run the gateway stamps a quote before
rendering it as JSON, so the first hop includes the JSON work; in the latency run it stamps it
after, just before the send.
EOF
}

count=2000000
rate=0
lat_rate=100000
lat_count=500000
warmup=50000
spin_us=auto
only=
dir="${HFTIPC_DEMO_DIR:-}"
keep=1
quiet=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        -n | --count) count="${2:?--count needs a value}"; shift 2 ;;
        --count=*) count="${1#*=}"; shift ;;
        -r | --rate) rate="${2:?--rate needs a value}"; shift 2 ;;
        --rate=*) rate="${1#*=}"; shift ;;
        --latency-rate) lat_rate="${2:?--latency-rate needs a value}"; shift 2 ;;
        --latency-rate=*) lat_rate="${1#*=}"; shift ;;
        --latency-count) lat_count="${2:?--latency-count needs a value}"; shift 2 ;;
        --latency-count=*) lat_count="${1#*=}"; shift ;;
        --warmup) warmup="${2:?--warmup needs a value}"; shift 2 ;;
        --warmup=*) warmup="${1#*=}"; shift ;;
        --spin-us) spin_us="${2:?--spin-us needs a value}"; shift 2 ;;
        --spin-us=*) spin_us="${1#*=}"; shift ;;
        --only) only="${2:?--only needs throughput or latency}"; shift 2 ;;
        --only=*) only="${1#*=}"; shift ;;
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
[[ "$spin_us" == auto ]] || [[ "$spin_us" =~ ^[0-9]+$ ]] || { echo "demo.sh: --spin-us takes auto or a non-negative integer, not '$spin_us'" >&2; exit 2; }
for v in "$lat_rate" "$lat_count" "$warmup"; do
    [[ "$v" =~ ^[0-9]+$ ]] || { echo "demo.sh: --latency-rate, --latency-count and --warmup take non-negative integers, not '$v'" >&2; exit 2; }
done
[[ "$lat_rate" -ge 1 && "$lat_count" -ge 1 ]] || { echo "demo.sh: --latency-rate and --latency-count must be positive" >&2; exit 2; }
[[ -z "$only" || "$only" == throughput || "$only" == latency ]] || { echo "demo.sh: --only takes throughput or latency, not '$only'" >&2; exit 2; }

say() { echo "demo.sh: $*" >&2; }
source "$root/scripts/cpu.sh"
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

(cd "$root/bindings/go" && GOFLAGS=-mod=mod GOPROXY=off CGO_ENABLED=1 \
    go build -o "$build/bin/hftipc_gateway" ./examples/gateway) >"$build/logs/go-build.log" 2>&1 ||
    { tail -n 40 "$build/logs/go-build.log" >&2; fail "building the Go gateway failed (log above; needs cgo: a C compiler on the PATH and CGO_ENABLED=1)"; }

jar="$(ls "$root"/bindings/java/target/hftipc-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -n 1 || true)"
if [[ -z "$jar" ]]; then
    say "building the Java binding's jar first (mvn package in bindings/java, about a minute)"
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
    javac -d "$build/java/classes" -cp "$build/java/hftipc.jar" "$root/demo/service/Service.java" \
        >"$build/logs/javac.log" 2>&1 ||
        { cat "$build/logs/javac.log" >&2; fail "compiling demo/service/Service.java failed (log above)"; }
fi

# ---- Run -----------------------------------------------------------------------------------
logs="$build/logs"
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
field() { # log key
    grep '^RESULT' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# run_pipeline NAME COUNT RATE: one run of the three processes, with logs in $logs/NAME-*.log.
# In the latency run the gateway spins and stamps at the send, the engine and the service poll
# before they sleep, the first $warmup quotes are left out, and each process gets a CPU of its
# own when there are enough. Sets gw_sent, e_recv, e_pub, s_recv, eng_rc, svc_rc, elapsed.
run_pipeline() {
    local name="$1" n="$2" r="$3"
    local gw_opts=() eng_opts=() svc_opts=() pin_gw="" pin_eng="" pin_svc=""
    if [[ $name == latency ]]; then
        gw_opts=(-stamp-at-send)
        ((spin_us > 0)) && gw_opts+=(-spin)
        eng_opts=(--spin-us "$spin_us" --warmup "$warmup")
        svc_opts=(--spin-us "$spin_us" --warmup "$warmup")
        pin_gw="$(cpu_pin 0 3)"
        pin_eng="$(cpu_pin 1 3)"
        pin_svc="$(cpu_pin 2 3)"
    fi
    [[ $quiet -eq 1 ]] && svc_opts+=(--quiet)
    rm -f "$quotes" "$book" "$logs/$name-gateway.log" "$logs/$name-engine.log" "$logs/$name-service.log"
    $pin_svc java -cp "$build/java/hftipc.jar:$build/java/classes" Service --path "$book" "${svc_opts[@]}" \
        >"$logs/$name-service.log" 2>&1 &
    svc=$!
    pids+=("$svc")
    wait_ready service "$svc" "$logs/$name-service.log"
    $pin_eng "$engine" --in "$quotes" --out "$book" "${eng_opts[@]}" >"$logs/$name-engine.log" 2>&1 &
    eng=$!
    pids+=("$eng")
    wait_ready engine "$eng" "$logs/$name-engine.log"
    # The rolling summary, as the service prints it.
    tail -n +2 -f --pid="$svc" "$logs/$name-service.log" 2>/dev/null |
        grep --line-buffered -v -e '^RESULT' -e '^service: ' -e ' updates [0-9,]*$' &
    pids+=("$!")

    local start=$SECONDS gw_rc=0
    $pin_gw "$build/bin/hftipc_gateway" -path "$quotes" -count "$n" -rate "$r" "${gw_opts[@]}" \
        >"$logs/$name-gateway.log" 2>&1 &
    gw=$!
    pids+=("$gw")
    wait "$gw" || gw_rc=$?
    if [[ $gw_rc -ne 0 ]]; then
        cat "$logs/$name-gateway.log" >&2
        fail "the gateway failed (exit $gw_rc); output above, log $logs/$name-gateway.log"
    fi
    # The engine and the service stop at the end-of-stream record; give them time to drain.
    local who pid i
    for who in engine service; do
        pid=$eng
        [[ $who == service ]] && pid=$svc
        for ((i = 0; i < 600 && $(alive "$pid" && echo 1 || echo 0); i++)); do sleep 0.1; done
        if alive "$pid"; then
            fail "the $who did not finish within 60 s of the gateway's end of stream (log: $logs/$name-$who.log)"
        fi
    done
    eng_rc=0
    wait "$eng" || eng_rc=$?
    svc_rc=0
    wait "$svc" || svc_rc=$?
    sleep 0.2 # let the summary tail print its last lines
    elapsed=$((SECONDS - start))
    pids=()

    gw_sent="$(sed -n 's/^gateway: sent \([0-9]*\) quotes.*/\1/p' "$logs/$name-gateway.log")"
    gw_rate="$(sed -n 's/.* (\([0-9]*\)\/s);.*/\1/p' "$logs/$name-gateway.log")"
    e_recv="$(field "$logs/$name-engine.log" received)"
    e_pub="$(field "$logs/$name-engine.log" published)"
    s_recv="$(field "$logs/$name-service.log" received)"
    if [[ -z "$gw_sent" || -z "$e_recv" || -z "$s_recv" ]]; then
        for f in gateway engine service; do
            echo "--- $f ($logs/$name-$f.log)" >&2
            tail -n 20 "$logs/$name-$f.log" >&2
        done
        fail "a process did not report its counts in the $name run (engine exit $eng_rc, service exit $svc_rc)"
    fi
}

# verdict NAME COUNT: compares the counts of every hop; returns 1 if any differs.
verdict() {
    local name="$1" n="$2"
    if [[ "$gw_sent" == "$n" && "$e_recv" == "$gw_sent" && "$e_pub" == "$e_recv" && "$s_recv" == "$e_pub" && $eng_rc -eq 0 && $svc_rc -eq 0 ]]; then
        echo "demo.sh: $name run: counts agree at every hop: $gw_sent sent, $e_recv received and $e_pub published by the engine, $s_recv received by the service. Nothing lost."
        return 0
    fi
    echo "demo.sh: $name run: COUNTS DISAGREE: asked $n, gateway sent ${gw_sent}, engine received ${e_recv} and published ${e_pub}, service received ${s_recv} (engine exit $eng_rc, service exit $svc_rc; gaps: engine $(field "$logs/$name-engine.log" gaps), service $(field "$logs/$name-service.log" gaps))" >&2
    return 1
}

# table NAME: the per-hop table of a run, from the RESULT lines.
table() {
    local name="$1"
    awk -v name="$name" -v gw_sent="$gw_sent" -v gw_rate="$gw_rate" \
        -v eres="$(grep '^RESULT' "$logs/$name-engine.log")" -v sres="$(grep '^RESULT' "$logs/$name-service.log")" '
function get(s, k,   n, a, i, kv) {
    n = split(s, a, " ")
    for (i = 1; i <= n; i++) { split(a[i], kv, "="); if (kv[1] == k) return kv[2] }
    return ""
}
function us(ns) { return ns < 10000 ? sprintf("%.2f us", ns / 1000) : sprintf("%.1f us", ns / 1000) }
function grp(n,   s) { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s); return s }
function row(label, msgs, secs, p, src) {
    printf "%-26s %12s %14s %10s %10s %10s %10s\n", label, grp(msgs), (secs > 0 ? grp(msgs / secs) "/s" : "-"),
        us(get(src, p "p50_ns")), us(get(src, p "p99_ns")), us(get(src, p "p999_ns")), us(get(src, p "max_ns"))
}
BEGIN {
    e_recv = get(eres, "received"); e_pub = get(eres, "published"); s_recv = get(sres, "received")
    e2e_secs = (get(sres, "last_ns") - get(eres, "first_ns")) / 1e9
    printf "%-26s %12s %14s %10s %10s %10s %10s\n", "hop (" name " run)", "messages", "throughput", "p50", "p99", "p99.9", "max"
    printf "%-26s %12s %14s\n", "gateway sent", grp(gw_sent), grp(gw_rate) "/s"
    row("gateway -> engine", e_recv, get(eres, "secs"), "", eres)
    printf "%-26s %12s\n", "engine published", grp(e_pub)
    row("engine -> service", s_recv, get(sres, "secs"), "eng_", sres)
    row("end to end (gw -> service)", s_recv, e2e_secs, "e2e_", sres)
    neg = get(eres, "negative") + get(sres, "negative")
    if (neg > 0) printf "(%d latency samples were negative and counted as 0: the realtime clock was adjusted during the run)\n", neg
}'
}

status=0
pinned=0
[[ -n "$(cpu_pin 2 3)" ]] && pinned=1
spin_auto=0
if [[ "$spin_us" == auto ]]; then
    spin_auto=1
    spin_us=0
    ((pinned)) && spin_us=200
fi
if ((spin_us > 0)); then
    waits="spinning waits: the gateway spins to each due time, the engine and the service poll for $spin_us us before they sleep"
else
    waits="sleeping waits: the gateway sleeps between quotes, the engine and the service spin about a microsecond, yield, then sleep on the futex"
fi
if ((pinned)); then
    pin_note="$(cpu_pin_note 3)"
else
    pin_note="not pinned: $(cpu_list | wc -l) CPUs for 3 processes (pinning needs 4, one left for the rest)"
    if ((spin_us == 0 && spin_auto)); then
        pin_note+="; with so few CPUs spinning processes would take turns on them, so the waits sleep"
    elif ((spin_us > 0)); then
        pin_note+="; the waits spin as --spin-us asks, so the processes take turns on the CPUs and the figures include the scheduler's time slices"
    fi
fi
echo "demo.sh: machine: $(cpu_machine)"
if [[ "$only" != latency ]]; then
    echo
    echo "demo.sh: throughput run: $count quotes at $([[ $rate -eq 0 ]] && echo "full speed" || echo "$rate/s") through $quotes -> $book"
    run_pipeline throughput "$count" "$rate"
    echo
    grep -v '^RESULT' "$logs/throughput-engine.log" | grep -v '^engine: ready' || true
    grep -e '^service: received' -e '^service: last' -e ' updates [0-9,]*$' "$logs/throughput-service.log" || true
    echo
    table throughput
    echo "Throughput: messages / (last - first arrival) at the receiving side. The latency of this run"
    echo "includes the time quotes wait in full rings, and the first hop the gateway's JSON work."
    echo "Wall time from the gateway's start: ${elapsed} s."
    verdict throughput "$count" || status=1
fi
if [[ "$only" != throughput ]]; then
    total=$((lat_count + warmup))
    echo
    echo "demo.sh: latency run: $total quotes at $lat_rate/s (the first $warmup left out); $waits"
    echo "demo.sh: pinning: $pin_note"
    run_pipeline latency "$total" "$lat_rate"
    echo
    table latency
    echo "Latency at a fixed offered rate of $lat_rate quotes/s over the last $lat_count quotes, each stamped"
    echo "just before its send; $waits."
    echo "Machine: $(cpu_machine); load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
    echo "Pinning: $pin_note."
    verdict latency "$total" || status=1
fi
echo
if [[ $keep -eq 1 ]]; then
    echo "The channels of the last run stay in place. Look at them with:"
    echo "  $cli inspect $quotes"
    echo "  $cli inspect $book"
    echo "Remove them with: rm $quotes $book   (logs: $logs/)"
else
    rm -f "$quotes" "$book"
    echo "Removed the channels (--clean). Logs: $logs/"
fi
exit $status
