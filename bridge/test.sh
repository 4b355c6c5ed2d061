#!/usr/bin/env bash
# Tests of hftipc-bridge (docs/BRIDGE.md), all on 127.0.0.1 with real servers and peers:
#   - builds nats-server from the Go module proxy at a pinned version (cached),
#   - builds the interop C peer and the hftipc CLI from core/, the Java binding's jar and the
#     interop Java peer (interop-tests/java/Peer.java),
#   - gofmt, go vet, the unit tests, then the end-to-end tests in e2e/: C producer -> bridge
#     out -> NATS -> bridge in -> Java consumer (1,000,000 messages, every byte and the stream
#     checksum verified), kill -9 of the out bridge, of the in bridge and of the NATS server
#     mid-stream, a three-node cluster with R3 streams losing its stream leader, back-pressure
#     from a slow consumer behind a full ring, SIGTERM finishing in-flight publishes, status
#     and metrics; then a few of them again with the bridge built with -race.
#
#   bridge/test.sh
#
# Environment:
#   HFTIPC_BRIDGE_E2E_MESSAGES    messages of the C -> Java case (default 1000000)
#   HFTIPC_BRIDGE_CRASH_MESSAGES  messages of each crash case (default 200000)
#   HFTIPC_BRIDGE_CACHE           where the nats-server binary is cached
#                                 (default ${XDG_CACHE_HOME:-$HOME/.cache}/hftipc-bridge)
# Exits non-zero on the first failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$here"

build="$here/build"
mkdir -p "$build/core" "$build/java"
export CGO_ENABLED=1
step() { printf '\n== bridge: %s\n' "$*"; }
start=$SECONDS

for tool in go cc ar javac java mvn; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bridge/test.sh: '$tool' not found (scripts/install-deps.sh --java)" >&2; exit 1; }
done

step "nats-server (pinned in scripts/nats-server.sh, built from the Go module proxy, cached)"
nats_bin=$(bash "$here/scripts/nats-server.sh")
"$nats_bin" --version

step "C peer and hftipc CLI (from core/)"
cflags=(-O2 -std=c11 -DHFTIPC_STATIC_BUILD -I"$root/core/include" -I"$root/core/src")
# The core from its one list of sources and warning flags (core/sources.txt, core/cflags.txt).
# shellcheck source=../scripts/lib/core.sh
source "$root/scripts/lib/core.sh"
core_build_archive "$root/core" "$build/core" "$build/libhftipc.a" "${cflags[@]}"
mapfile -t warnings < <(core_cflags "$root/core")
cflags+=("${warnings[@]}")
cc "${cflags[@]}" -Werror "$root/interop-tests/c/peer.c" "$build/libhftipc.a" -o "$build/c-peer"
cli=()
for src in "$root"/tools/cli/*.c; do # the CLI: every tools/cli/*.c but the man page generator
    [[ $(basename "$src") == mangen.c ]] || cli+=("$src")
done
cc "${cflags[@]}" "${cli[@]}" "$build/libhftipc.a" -lm -o "$build/hftipc"

step "Java binding jar and the Java peer"
if [[ -z ${JAVA_HOME:-} ]]; then
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    export JAVA_HOME
fi
find_jar() {
    find "$root/bindings/java/target" -maxdepth 1 -name 'hftipc-*.jar' ! -name '*-sources.jar' \
        ! -name '*-javadoc.jar' 2>/dev/null | sort | tail -n 1 || true
}
jar=$(find_jar)
if [[ -z $jar ]] || [[ -n $(find "$root/core/src" "$root/core/include" "$root/bindings/java/src/main" \
    "$root/bindings/java/pom.xml" "$root/bindings/java/CMakeLists.txt" -newer "$jar" -print -quit) ]]; then
    (cd "$root/bindings/java" && mvn -B -q -DskipTests package)
    jar=$(find_jar)
fi
cp "$jar" "$build/hftipc.jar" # a private copy: a concurrent `mvn clean` cannot pull it away
javac -Xlint:all -Werror -d "$build/java" -cp "$build/hftipc.jar" "$root/interop-tests/java/Peer.java"

step "gofmt, go vet"
unformatted="$(gofmt -l .)"
if [[ -n $unformatted ]]; then
    echo "not gofmt-ed:"
    echo "$unformatted"
    exit 1
fi
go vet ./...

step "go test ./... (unit and end-to-end)"
export HFTIPC_BRIDGE_REQUIRE=1
export HFTIPC_BRIDGE_NATS_SERVER="$nats_bin"
export HFTIPC_BRIDGE_C_PEER="$build/c-peer"
export HFTIPC_BRIDGE_CLI="$build/hftipc"
export HFTIPC_BRIDGE_JAVA_CP="$build/hftipc.jar:$build/java"
# -p 1: the end-to-end cases are heavy; one package at a time on a 2-core machine.
go test -count=1 -p 1 -timeout 40m -v ./...

step "the bridge under the race detector (fewer messages; a race fails the bridge's exit status)"
HFTIPC_BRIDGE_RACE=1 HFTIPC_BRIDGE_CRASH_MESSAGES=60000 HFTIPC_BRIDGE_E2E_MESSAGES=100000 \
    go test -count=1 -timeout 20m -v -run 'EndToEnd|CrashNATSServer|ClusterLeaderKilled|SIGTERM' ./e2e
echo "bridge/test.sh: ok ($((SECONDS - start)) s)"
