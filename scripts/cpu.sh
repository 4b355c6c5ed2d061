# CPU helpers for the scripts that measure latency (scripts/demo.sh, samples/*/run.sh); sourced,
# not run. Spinning processes are pinned to CPUs of their own only when there are enough: one
# CPU per spinning process plus one for the kernel and everything else.

# One line: CPU model, logical CPUs usable by this process and online, kernel.
cpu_machine() {
    local model
    model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"
    [[ -n "$model" ]] || model="$(uname -m)"
    echo "$model, $(nproc) logical CPUs usable ($(nproc --all) online), Linux $(uname -r)"
}

# The CPUs this shell may run on (its affinity mask), one per line.
cpu_list() {
    local list range
    list="$(taskset -pc $$ 2>/dev/null | sed 's/.*: //')"
    if [[ -z "$list" ]]; then
        seq 0 $(($(nproc) - 1))
        return
    fi
    for range in ${list//,/ }; do
        seq "${range%-*}" "${range#*-}"
    done
}

# cpu_pin INDEX NEEDED: prints `taskset -c CPU` for the INDEX-th (0-based) of NEEDED spinning
# processes, a CPU of its own (the highest ones), or nothing when there are fewer than
# NEEDED + 1 CPUs or no taskset.
cpu_pin() {
    local cpus
    mapfile -t cpus < <(cpu_list)
    if ((${#cpus[@]} < $2 + 1)) || ! command -v taskset >/dev/null 2>&1; then
        return 0
    fi
    echo "taskset -c ${cpus[${#cpus[@]} - 1 - $1]}"
}

# A sentence on the pinning of NEEDED spinning processes, for a report.
cpu_pin_note() {
    local n
    n="$(cpu_list | wc -l)"
    if ((n >= $1 + 1)) && command -v taskset >/dev/null 2>&1; then
        echo "the $1 spinning processes are pinned to CPUs of their own (taskset), one CPU left for the rest"
    else
        echo "not pinned: $n CPUs for $1 spinning processes (pinning needs $(($1 + 1)), one left for the rest), so they share the CPUs with each other and with everything else on the machine, and the tail includes preemption"
    fi
}
