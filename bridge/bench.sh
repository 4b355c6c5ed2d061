#!/usr/bin/env bash
# Bridged throughput and latency through one local NATS server, next to the local channel's
# figures, in one run (the benchmarks in e2e/bench_test.go), printed as the Markdown table of
# docs/BENCHMARKS.md ("Bridge over NATS JetStream").
#   bridge/bench.sh [THROUGHPUT_MESSAGES [PACED_MESSAGES]]     (defaults 300000 and 30000)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/e2e"
n_tp=${1:-300000}
n_paced=${2:-30000}
export CGO_ENABLED=1
HFTIPC_BRIDGE_NATS_SERVER=$(bash "$here/scripts/nats-server.sh")
export HFTIPC_BRIDGE_NATS_SERVER
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -count=1 -run '^$' -bench 'Throughput$' -benchtime "${n_tp}x" . | tee -a "$out" | grep '^Benchmark'
go test -count=1 -run '^$' -bench 'Paced10k$' -benchtime "${n_paced}x" . | tee -a "$out" | grep '^Benchmark'
echo
echo "| path | load | messages | msgs/s | p50 µs | p99 µs |"
echo "|---|---|---:|---:|---:|---:|"
awk '/^Benchmark/ {
    name=$1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
    path = (name ~ /^Local/) ? "local channel" : "bridged: out -> NATS JetStream (1 server, file store) -> in"
    load = (name ~ /Throughput$/) ? "as fast as it goes" : "paced, 10,000/s"
    for (i = 3; i < NF; i++) { if ($(i+1) == "msgs/s") r=$i; if ($(i+1) == "p50-µs") p50=$i; if ($(i+1) == "p99-µs") p99=$i }
    printf "| %s | %s | %d | %.0f | %.0f | %.0f |\n", path, load, $2, r, p50, p99
}' "$out"
