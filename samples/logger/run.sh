#!/usr/bin/env bash
# The logger sample in one command: a Go application logs lines through a channel to a C sink
# that appends them to a file in batches, at-least-once (peek, write, ack). With --kill N the
# sink is killed with kill -9 N times while the application logs, and restarted each time;
# then the file is checked: no logged line may be missing, and only the batch in flight at a
# kill may appear twice.
#   samples/logger/run.sh [--lines N] [--rate N] [--kill N] [--inject-crash N] [--out FILE]
set -euo pipefail
SAMPLE_NAME=logger
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

usage() {
    cat <<'EOF_USAGE'
usage: samples/logger/run.sh [OPTIONS]

A Go application logs numbered lines; its logger packs them into the slots of an hftipc channel
(one message = a batch of lines). A C sink peeks at each batch, appends it to the output file
with one write(2), and only then acknowledges it. Builds what is missing first (build-samples/).
At the end, samples/logger/check reads the file back and exits non-zero if a logged line is
missing or torn, or if lines repeat beyond the batch in flight at each kill.

Options:
  -n, --lines N  lines to log (default 300000)
  -r, --rate N   lines per second; 0 = as fast as the sink takes them (default 100000)
  -k, --kill N   kill the sink with kill -9 this many times while the application logs, and
                 restart it after each (default 3)
      --inject-crash N
                 fault injection: the first sink kills itself (SIGKILL) right after writing
                 its N-th batch, before acknowledging it, and is restarted; this counts as
                 one more kill (default 0: off)
  -o, --out FILE the output file (default: a temporary file, removed at the end)
  -h, --help     this help
EOF_USAGE
}

lines=300000
rate=100000
kills=3
inject=0
out=
while [[ $# -gt 0 ]]; do
    case "$1" in
        -n | --lines) lines="${2:?--lines needs a value}"; shift 2 ;;
        -r | --rate) rate="${2:?--rate needs a value}"; shift 2 ;;
        -k | --kill) kills="${2:?--kill needs a value}"; shift 2 ;;
        --inject-crash) inject="${2:?--inject-crash needs a value}"; shift 2 ;;
        -o | --out) out="${2:?--out needs a value}"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "logger: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
done
for v in "$lines" "$rate" "$kills" "$inject"; do
    [[ "$v" =~ ^[0-9]+$ ]] || { echo "logger: option values must be non-negative integers, not '$v'" >&2; exit 2; }
done
((lines > 0)) || { echo "logger: --lines must be > 0" >&2; exit 2; }

samples_build
dir="$(samples_channel_dir logger)"
logs="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-logger-logs.XXXXXX")"
[[ -n "$out" ]] || out="$logs/app.log"
rm -f "$out"
sink_pid=
app_pid=
cleanup() {
    [[ -n "$sink_pid" ]] && kill "$sink_pid" 2>/dev/null || true
    [[ -n "$app_pid" ]] && kill "$app_pid" 2>/dev/null || true
    rm -rf "$dir" "$logs" # the output file too, unless --out put it elsewhere
}
trap cleanup EXIT
chan="$dir/log"

start_sink() { # ready-lines-to-wait-for [sink options]
    local want="$1"
    shift
    "$SAMPLES_BIN/log_sink" --channel "$chan" --out "$out" "$@" >>"$logs/sink.log" 2>&1 &
    sink_pid=$!
    local i
    for ((i = 0; i < 200; i++)); do
        [[ "$(grep -c '^sink: ready' "$logs/sink.log" 2>/dev/null)" -ge "$want" ]] && return 0
        kill -0 "$sink_pid" 2>/dev/null || { cat "$logs/sink.log" >&2; samples_fail "the sink stopped before it was ready"; }
        sleep 0.05
    done
    samples_fail "the sink did not start within 10 s"
}

echo "logger: $lines lines at $([[ $rate -eq 0 ]] && echo "full speed" || echo "$rate/s") through $chan into $out; $kills kills of the sink"
inject_opt=()
((inject > 0)) && inject_opt=(--crash-after-write "$inject")
start_sink 1 "${inject_opt[@]}"
"$SAMPLES_BIN/app" -path "$chan" -lines "$lines" -rate "$rate" >"$logs/app.log.txt" 2>&1 &
app_pid=$!
done_kills=0
starts=1
if ((inject > 0)); then
    # The first sink dies by itself after its N-th batch: wait for that, then restart it.
    # (wait, not a kill -0 loop, so that bash reaps it quietly; smoke.sh bounds the time.)
    wait "$sink_pid" 2>/dev/null || true
    grep -q '^sink: injected crash' "$logs/sink.log" || { cat "$logs/sink.log" >&2; samples_fail "the first sink stopped, but not at its injected crash"; }
    done_kills=1
    echo "logger: the sink crashed as injected, $(wc -l <"$out") lines in the file; restarting it"
    starts=2
    start_sink 2
fi
for ((k = 1; k <= kills; k++)); do
    # A random moment within the next ~half second, while the application is logging.
    sleep "0.$((RANDOM % 400 + 200))"
    kill -0 "$app_pid" 2>/dev/null || break
    kill -9 "$sink_pid"
    wait "$sink_pid" 2>/dev/null || true
    done_kills=$((done_kills + 1))
    echo "logger: kill -9 of the sink ($k), $(wc -l <"$out") lines in the file; restarting it"
    starts=$((starts + 1))
    start_sink "$starts"
done
app_rc=0
wait "$app_pid" || app_rc=$?
app_pid=
[[ $app_rc -eq 0 ]] || { cat "$logs/app.log.txt" >&2; samples_fail "the application failed (exit $app_rc)"; }
# The sink stops at the end of the log.
for ((i = 0; i < 600; i++)); do
    kill -0 "$sink_pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$sink_pid" 2>/dev/null && samples_fail "the sink did not reach the end of the log within 60 s of the application's end"
sink_rc=0
wait "$sink_pid" || sink_rc=$?
sink_pid=
grep -v '^RESULT' "$logs/app.log.txt"
cat "$logs/sink.log"
[[ $sink_rc -eq 0 ]] || samples_fail "the sink failed (exit $sink_rc)"
max_batch="$(sed -n 's/^RESULT app .*max_batch=\([0-9]*\).*/\1/p' "$logs/app.log.txt")"
if [[ $done_kills -lt $((kills + (inject > 0 ? 1 : 0))) ]]; then
    echo "logger: note: the application finished before all $kills kills; $done_kills done"
fi
"$SAMPLES_BIN/check" -file "$out" -lines "$lines" -kills "$done_kills" -max-batch "$max_batch"
