# Shared by the samples' run.sh and smoke.sh scripts (sourced, not run): building quietly,
# choosing a channel directory, describing the machine, pinning spinning processes.
#
# Build output never reaches the terminal: CMake and go build write to $SAMPLES_BUILD/logs/,
# and a failing build prints the tail of its log. The build directory is build-samples/ at the
# repository root ($HFTIPC_SAMPLES_BUILD_DIR overrides it); concurrent builds are serialised
# with flock so that several samples can start at once.

SAMPLES_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SAMPLES_ROOT/.." && pwd)"
SAMPLES_BUILD="${HFTIPC_SAMPLES_BUILD_DIR:-$REPO_ROOT/build-samples}"
SAMPLES_BIN="$SAMPLES_BUILD/bin"

samples_fail() {
    echo "${SAMPLE_NAME:-samples}: error: $*" >&2
    exit 1
}

# Builds the C programs (CMake) and the Go programs (go build) of every sample into
# $SAMPLES_BIN. Quiet unless something fails.
samples_build() {
    if ! command -v cmake >/dev/null 2>&1 || ! command -v cc >/dev/null 2>&1; then
        bash "$REPO_ROOT/scripts/install-deps.sh" >/dev/null 2>&1 ||
            samples_fail "a C compiler or CMake is missing and scripts/install-deps.sh could not install them"
    fi
    if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
        PATH="$PATH:/usr/local/go/bin"
    fi
    command -v go >/dev/null 2>&1 ||
        samples_fail "Go 1.22+ is not on the PATH (the samples' feed, application and host are Go programs)"
    mkdir -p "$SAMPLES_BIN" "$SAMPLES_BUILD/logs"
    local log="$SAMPLES_BUILD/logs"
    (
        flock 9
        if [[ ! -f "$SAMPLES_BUILD/CMakeCache.txt" ]]; then
            cmake -S "$SAMPLES_ROOT" -B "$SAMPLES_BUILD" -DCMAKE_BUILD_TYPE=Release \
                -DCMAKE_RUNTIME_OUTPUT_DIRECTORY="$SAMPLES_BIN" >"$log/cmake.log" 2>&1 ||
                { tail -n 40 "$log/cmake.log" >&2; exit 1; }
        fi
        cmake --build "$SAMPLES_BUILD" -j "$(nproc 2>/dev/null || echo 2)" >"$log/build.log" 2>&1 ||
            { tail -n 40 "$log/build.log" >&2; exit 1; }
        (cd "$SAMPLES_ROOT" && GOFLAGS=-mod=mod GOPROXY=off CGO_ENABLED=1 \
            go build -o "$SAMPLES_BIN/" ./market-data/feed ./logger/app ./logger/check ./plugin/host) \
            >"$log/go-build.log" 2>&1 || { tail -n 40 "$log/go-build.log" >&2; exit 1; }
    ) 9>"$SAMPLES_BUILD/.lock" || samples_fail "building the samples failed (log above; all logs in $log/)"
}

# A fresh private directory for channel files: in /dev/shm when it is writable, else in $TMPDIR.
samples_channel_dir() {
    local base=/dev/shm
    [[ -d $base && -w $base ]] || base="${TMPDIR:-/tmp}"
    mktemp -d "$base/hftipc-$1.XXXXXX"
}

# The machine description and the CPU pinning of spinning processes: cpu_machine, cpu_pin
# INDEX NEEDED, cpu_pin_note NEEDED.
source "$REPO_ROOT/scripts/cpu.sh"
