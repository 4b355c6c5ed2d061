# Sourced by the scripts that build the C project (bench.sh, bench-all.sh, demo.sh, fuzz.sh,
# update-abi-baseline.sh): they configure it only through the presets of CMakePresets.json, so
# one build directory always belongs to one preset, with that preset's generator and options.
#
#   preset_dir NAME              the preset's binary directory (inherited binaryDir resolved)
#   preset_configure NAME [DIR]  `cmake --preset NAME [-B DIR]`, quiet unless it fails
#   preset_build DIR TARGET...   `cmake --build DIR --target TARGET...`, quiet unless it fails

# preset_field NAME FIELD: FIELD of configure preset NAME, following "inherits".
preset_field() {
    python3 - "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)" "$1" "$2" <<'PY'
import json, os, sys
root, name, field = sys.argv[1:]
presets = {p["name"]: p for p in json.load(open(os.path.join(root, "CMakePresets.json")))["configurePresets"]}
def get(n):
    p = presets[n]
    if field in p:
        return p[field]
    for parent in ([p["inherits"]] if isinstance(p.get("inherits"), str) else p.get("inherits", [])):
        v = get(parent)
        if v is not None:
            return v
    return None
if name not in presets:
    sys.exit("no configure preset '%s' in CMakePresets.json" % name)
v = get(name) or ""
print(v.replace("${sourceDir}", root))
PY
}

preset_dir() { preset_field "$1" binaryDir; }

preset_configure() {
    local name="$1" dir="${2:-}" gen want
    [[ -n "$dir" ]] || dir="$(preset_dir "$name")" || return 1
    want="$(preset_field "$name" generator)" || return 1
    # A directory that an older script configured with another generator makes `cmake --preset`
    # fail ("Does not match the generator used previously"): drop its cache, keep nothing else.
    if [[ -f "$dir/CMakeCache.txt" ]]; then
        gen="$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$dir/CMakeCache.txt")"
        if [[ -n "$want" && "$gen" != "$want" ]]; then
            echo "note: $dir was configured with '$gen', the $name preset uses '$want': re-configuring it" >&2
            rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
        fi
    fi
    local args=(--preset "$name")
    [[ -n "${2:-}" ]] && args+=(-B "$dir")
    (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && preset_quietly cmake "${args[@]}")
}

preset_build() {
    local dir="$1"
    shift
    preset_quietly cmake --build "$dir" --target "$@"
}

# preset_quietly CMD...: run CMD with its output in a temporary log; if it fails, print the
# command and the log's last 40 lines to stderr.
preset_quietly() {
    local log rc=0
    log="$(mktemp "${TMPDIR:-/tmp}/hftipc-build.XXXXXX")"
    "$@" >"$log" 2>&1 || rc=$?
    if ((rc != 0)); then
        echo "error: $* failed (exit $rc); its last 40 lines:" >&2
        tail -n 40 "$log" | sed 's/^/    | /' >&2
    fi
    rm -f "$log"
    return "$rc"
}
