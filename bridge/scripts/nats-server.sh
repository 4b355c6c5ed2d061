#!/usr/bin/env bash
# Prints the path of the pinned nats-server, building it first from the Go module proxy when
# it is not in the cache yet (bridge/test.sh and bridge/bench.sh use it).
#   bridge/scripts/nats-server.sh
# Environment: HFTIPC_BRIDGE_CACHE  cache directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/hftipc-bridge)
set -euo pipefail
NATS_SERVER_VERSION=v2.15.3 # pinned; bump deliberately (and run bridge/test.sh)
cache="${HFTIPC_BRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hftipc-bridge}"
bin="$cache/nats-server-$NATS_SERVER_VERSION/nats-server"
if [[ ! -x $bin ]]; then
    mkdir -p "$(dirname "$bin")"
    # Outside any module, with a private GOBIN per version: two versions never collide.
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && GOBIN="$(dirname "$bin")" GOFLAGS=-mod=mod \
        go install "github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION") >&2
fi
echo "$bin"
