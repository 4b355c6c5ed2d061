#!/usr/bin/env bash
# Tests of the Go binding, run from anywhere: amalgamation drift, gofmt, vet, unit and
# cross-process tests, the same under the race detector and with the C core under UBSan (with
# fewer stress messages), the examples built and run end to end, the benchmarks smoke-run.
# Needs only the Go toolchain, a C compiler and python3 (for the drift check; without it a note
# is printed and the Go test TestAmalgamationUpToDate still checks drift). The module has no
# third-party dependencies, so nothing is downloaded. Exits non-zero on the first failure.
#
# Environment: HFTIPC_GO_STRESS_COUNT   messages of the cross-process stress test (default 2M)
#              HFTIPC_GO_RACE_COUNT     the same under -race (default 200000)
set -euo pipefail
# The failing command, named (grep -q, for one, fails without a word).
trap 'echo "go: FAILED (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"


# No third-party modules: forbid the network so a missing piece fails fast instead of downloading.
export GOPROXY="${GOPROXY:-off}"
export CGO_ENABLED=1

step() { printf '\n== go: %s\n' "$*"; }
start=$SECONDS

step "amalgamation drift check"
if command -v python3 >/dev/null 2>&1; then
    python3 "$root/scripts/amalgamate.py" --check
else
    echo "python3 not found: relying on TestAmalgamationUpToDate"
fi

step "gofmt"
unformatted="$(gofmt -l .)"
if [[ -n "$unformatted" ]]; then
    echo "not gofmt-ed:"; echo "$unformatted"; exit 1
fi

step "go vet ./..."
go vet ./...

step "go test ./..."
go test -count=1 ./...

step "go test -race ./... (HFTIPC_GO_STRESS_COUNT=${HFTIPC_GO_RACE_COUNT:-200000})"
HFTIPC_GO_STRESS_COUNT="${HFTIPC_GO_RACE_COUNT:-200000}" go test -race -count=1 ./...

step "go test with the C core under UBSan (HFTIPC_GO_STRESS_COUNT=${HFTIPC_GO_RACE_COUNT:-200000})"
if echo 'int main(void){return 0;}' | ${CC:-cc} -x c -fsanitize=undefined -o /dev/null - 2>/dev/null; then
    HFTIPC_GO_STRESS_COUNT="${HFTIPC_GO_RACE_COUNT:-200000}" \
        CGO_CFLAGS="-O1 -g -fsanitize=undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
        CGO_LDFLAGS="-fsanitize=undefined" go test -count=1 .
else
    echo "the C compiler cannot link -fsanitize=undefined: skipped"
fi

step "go build ./examples/..."
go build ./examples/...

step "examples end to end: gateway -> channel -> consumer"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/" ./examples/...
"$tmp/consumer" -path "$tmp/quotes" -idle 20s >"$tmp/consumer.out" &
cons=$!
"$tmp/gateway" -path "$tmp/quotes" -count 50000
wait "$cons"
cat "$tmp/consumer.out"
grep -q '^consumer: 50000 quotes .*end record: true; sequence gaps: 0; bad records: 0' "$tmp/consumer.out"

step "benchmarks compile and run (1 iteration each)"
go test -run '^$' -bench . -benchtime 1x . >/dev/null

printf '\n== go: all passed in %ds\n' $((SECONDS - start))
