#!/usr/bin/env bash
# Builds the orchestrator sample into BUILD (default: samples/orchestrator/build): the Go
# orchestrator and parser (cgo, through the Go binding), and the Java parser (javac against the
# Java binding's jar, built with Maven first if bindings/java has none). Sourced by run.sh and
# smoke.sh, which then use $bin, $jar and $classes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${BUILD:-$here/build}"
bin="$build/bin"
classes="$build/classes"
mkdir -p "$bin" "$classes"

fail() { echo "orchestrator sample: $*" >&2; exit 1; }

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
    PATH="$PATH:/usr/local/go/bin"
fi
command -v go >/dev/null 2>&1 || fail "Go 1.24+ is needed (https://go.dev/dl/)"
command -v javac >/dev/null 2>&1 || fail "a JDK 17+ is needed (apt-get install openjdk-17-jdk-headless)"

(cd "$here" && GOFLAGS=-mod=mod GOPROXY=off CGO_ENABLED=1 go build -o "$bin/" ./orchestrator ./goparser) ||
    fail "building the Go programs failed (cgo needs a C compiler)"

jar="$(ls "$root"/bindings/java/target/hftipc-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -n 1 || true)"
if [[ -z "$jar" ]]; then
    echo "orchestrator sample: building the Java binding's jar (mvn package in bindings/java)"
    command -v mvn >/dev/null 2>&1 || fail "Maven is needed to build bindings/java (apt-get install maven)"
    if [[ -z "${JAVA_HOME:-}" ]]; then
        JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
        export JAVA_HOME
    fi
    (cd "$root/bindings/java" && mvn -B -q -DskipTests package) || fail "building bindings/java failed"
    jar="$(ls "$root"/bindings/java/target/hftipc-*.jar | grep -v -e sources -e javadoc | head -n 1)"
fi
# A private copy, so that a rebuild of bindings/java meanwhile does not pull it away.
cp "$jar" "$build/hftipc.jar"
jar="$build/hftipc.jar"
javac -d "$classes" -cp "$jar" "$here/java/Parser.java" || fail "compiling java/Parser.java failed"
