#!/usr/bin/env bash
# The market-data sample in one command: a Go feed publishes binary quotes at a fixed rate into
# a channel, a C algorithm reads them, and the latency of every quote is reported.
#   samples/market-data/run.sh [--rate N] [--count N] [--spin-us N] [--warmup N]
set -euo pipefail
SAMPLE_NAME=market-data
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

usage() {
    cat <<'EOF_USAGE'
usage: samples/market-data/run.sh [OPTIONS]

A Go feed writes 64-byte quotes, each stamped with CLOCK_MONOTONIC just before it is sent, at a
fixed rate into an hftipc channel in /dev/shm; a C algorithm consumes them (a moving-average
crossover per symbol) and reports the latency of each quote as p50/p99/p99.9/max. When the
machine has at least three CPUs, both are pinned to CPUs of their own and spin while waiting
(the feed towards each quote's due time, the algorithm for up to --spin-us before sleeping on
the channel's futex). With fewer CPUs two spinning processes would take the CPUs from each
other and from everything else, so by default they are not pinned, the feed sleeps between
quotes and the algorithm sleeps after the library's bounded spin (about a microsecond). Builds
what is missing first (build-samples/; output in build-samples/logs/). Exits non-zero if a
quote is lost.

Options:
  -r, --rate N     quotes per second (default 100000)
  -n, --count N    quotes to send (default 500000: 5 s at the default rate)
      --spin-us N  how long the algorithm spins for the next quote before sleeping; N > 0 makes
                   the feed spin too (default auto: 200 with at least three CPUs, else 0)
      --warmup N   quotes left out of the latency figures at the start (default 10000)
  -h, --help       this help
EOF_USAGE
}

rate=100000
count=500000
spin_us=auto
warmup=10000
while [[ $# -gt 0 ]]; do
    case "$1" in
        -r | --rate) rate="${2:?--rate needs a value}"; shift 2 ;;
        -n | --count) count="${2:?--count needs a value}"; shift 2 ;;
        --spin-us) spin_us="${2:?--spin-us needs a value}"; shift 2 ;;
        --warmup) warmup="${2:?--warmup needs a value}"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "market-data: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
done
[[ "$spin_us" == auto || "$spin_us" =~ ^[0-9]+$ ]] || { echo "market-data: --spin-us takes auto or a non-negative integer, not '$spin_us'" >&2; exit 2; }
for v in "$rate" "$count" "$warmup"; do
    [[ "$v" =~ ^[0-9]+$ ]] || { echo "market-data: option values must be non-negative integers, not '$v'" >&2; exit 2; }
done
((rate > 0)) || { echo "market-data: --rate must be > 0" >&2; exit 2; }

samples_build
dir="$(samples_channel_dir market-data)"
logs="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-md-logs.XXXXXX")"
algo_pid=
cleanup() {
    [[ -n "$algo_pid" ]] && kill "$algo_pid" 2>/dev/null || true
    rm -rf "$dir" "$logs"
}
trap cleanup EXIT
path="$dir/quotes"

echo "market-data: $count quotes at $rate/s through $path"
pin_algo="$(cpu_pin 0 2)"
pin_feed="$(cpu_pin 1 2)"
if [[ "$spin_us" == auto ]]; then
    spin_us=0
    [[ -n "$pin_algo" ]] && spin_us=200
fi
echo "machine: $(cpu_machine)"
if [[ -n "$pin_algo" ]]; then
    echo "pinning: $(cpu_pin_note 2)"
else
    echo "pinning: not pinned: $(cpu_list | wc -l) CPUs for 2 processes (pinning needs 3, one left for the rest)"
fi
if ((spin_us > 0)); then
    echo "waits: spinning (the feed towards each due time, the algorithm for $spin_us us before it sleeps)"
    feed_spin=-spin=true
else
    echo "waits: sleeping (the feed between quotes, the algorithm after the library's bounded spin); --spin-us N spins"
    feed_spin=-spin=false
fi
$pin_algo "$SAMPLES_BIN/md_algo" --path "$path" --spin-us "$spin_us" --warmup "$warmup" \
    >"$logs/algo.log" 2>&1 &
algo_pid=$!
for ((i = 0; i < 200; i++)); do
    grep -q '^algo: ready' "$logs/algo.log" 2>/dev/null && break
    kill -0 "$algo_pid" 2>/dev/null || { cat "$logs/algo.log" >&2; samples_fail "the algorithm stopped before it was ready"; }
    sleep 0.05
done
grep -q '^algo: ready' "$logs/algo.log" || samples_fail "the algorithm did not start within 10 s"

if ! $pin_feed "$SAMPLES_BIN/feed" -path "$path" -rate "$rate" -count "$count" "$feed_spin" >"$logs/feed.log" 2>&1; then
    cat "$logs/feed.log" >&2
    samples_fail "the feed failed (output above)"
fi
rc=0
wait "$algo_pid" || rc=$?
algo_pid=
cat "$logs/feed.log"
grep -v -e '^RESULT' -e '^algo: ready' "$logs/algo.log"
if [[ $rc -ne 0 ]]; then
    samples_fail "the algorithm reports lost, out-of-order or bad quotes (exit $rc)"
fi
echo "market-data: ok, every quote arrived in order"
