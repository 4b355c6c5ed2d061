#!/usr/bin/env bash
# The plugin sample in one command: a Go host sends requests to a C plugin over one channel and
# reads its answers from another, and replaces the plugin with a new process several times
# while it runs (gracefully and by kill -9); it checks that every request is answered exactly
# once.
#   samples/plugin/run.sh [--requests N] [--rate N] [--swaps N] [--inject-crash N]
set -euo pipefail
SAMPLE_NAME=plugin
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

usage() {
    cat <<'EOF_USAGE'
usage: samples/plugin/run.sh [OPTIONS]

A Go host sends numbered requests into DIR/requests and reads answers from DIR/responses; a C
plugin process answers them. While the host runs, it replaces the plugin --swaps times, every
other time gracefully (a new plugin takes the channels over with hftipc_channel_open_takeover
and the old one stops by itself) and otherwise with kill -9 followed by a new plugin. At the end
the host exits non-zero unless every request was answered exactly once, correctly and in order.
Builds what is missing first (build-samples/).

Options:
  -n, --requests N    requests to send (default 200000)
  -r, --rate N        requests per second (default 50000)
  -s, --swaps N       plugin replacements while the host runs (default 4)
      --inject-crash N
                      fault injection: the first plugin dies by SIGKILL right after its N-th
                      answer, before acknowledging the request; the host starts a new one
                      (default 0: off)
  -h, --help          this help
EOF_USAGE
}

requests=200000
rate=50000
swaps=4
inject=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        -n | --requests) requests="${2:?--requests needs a value}"; shift 2 ;;
        -r | --rate) rate="${2:?--rate needs a value}"; shift 2 ;;
        -s | --swaps) swaps="${2:?--swaps needs a value}"; shift 2 ;;
        --inject-crash) inject="${2:?--inject-crash needs a value}"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "plugin: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
done
for v in "$requests" "$rate" "$swaps" "$inject"; do
    [[ "$v" =~ ^[0-9]+$ ]] || { echo "plugin: option values must be non-negative integers, not '$v'" >&2; exit 2; }
done
((requests > 0 && rate > 0)) || { echo "plugin: --requests and --rate must be > 0" >&2; exit 2; }

samples_build
dir="$(samples_channel_dir plugin)"
trap 'rm -rf "$dir"' EXIT
echo "plugin: $requests requests at $rate/s through $dir/requests and $dir/responses, $swaps plugin replacements"
"$SAMPLES_BIN/host" -dir "$dir" -plugin "$SAMPLES_BIN/plugin_c" -requests "$requests" -rate "$rate" \
    -swaps "$swaps" -inject-crash "$inject"
