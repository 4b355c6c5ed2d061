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

# One line: CPU model, logical CPUs, kernel.
samples_machine() {
    local model
    model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"
    [[ -n "$model" ]] || model="$(uname -m)"
    echo "$model, $(nproc) logical CPUs ($(nproc --all) online), Linux $(uname -r)"
}

# samples_pin INDEX NEEDED: prints a `taskset -c CPU` prefix that pins the INDEX-th (0-based)
# of NEEDED spinning processes to a CPU of its own, or nothing when this process may use fewer
# than NEEDED + 1 CPUs (one is left for the kernel and everything else). The CPUs come from
# the process's own affinity mask, highest first.
samples_pin() {
    local cpus
    mapfile -t cpus < <(samples_cpus)
    if ((${#cpus[@]} < $2 + 1)) || ! command -v taskset >/dev/null 2>&1; then
        return 0
    fi
    echo "taskset -c ${cpus[${#cpus[@]} - 1 - $1]}"
}

# The CPUs this shell may run on, one per line.
samples_cpus() {
    local list range a b
    list="$(taskset -pc $$ 2>/dev/null | sed 's/.*: //')"
    [[ -n "$list" ]] || { seq 0 $(($(nproc) - 1)); return; }
    for range in ${list//,/ }; do
        a="${range%-*}"
        b="${range#*-}"
        seq "$a" "$b"
    done
}

# Describes the pinning decision for NEEDED spinning processes, for the report.
samples_pin_note() {
    local n
    n="$(samples_cpus | wc -l)"
    if (($n >= $1 + 1)) && command -v taskset >/dev/null 2>&1; then
        echo "the $1 spinning processes are pinned to CPUs of their own (taskset)"
    else
        echo "not pinned: $n CPUs for $1 spinning processes (pinning needs $(($1 + 1)), one left for the rest); they share the CPUs with everything else on the machine, so the tail includes preemption"
    fi
}
