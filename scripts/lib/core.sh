# Sourced by the shell scripts that compile the core themselves (interop-tests/run.sh,
# bridge/test.sh): the core's sources and warning flags from its one list of each,
# core/sources.txt and core/cflags.txt (the CMake builds read the same files through
# cmake/HftipcCore.cmake).
#
#   core_list FILE             the entries of a list file: '#' comments and blank lines dropped
#   core_sources CORE_DIR      the sources, one absolute path a line, in list order
#   core_cflags CORE_DIR       the warning flags, one a line
#   core_build_archive CORE_DIR OBJ_DIR ARCHIVE CFLAGS...
#                              compile every source into OBJ_DIR and archive them into ARCHIVE

core_list() {
    [[ -f $1 ]] || { echo "core.sh: $1 is missing" >&2; return 1; }
    sed -e 's/#.*$//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$1"
}

core_sources() {
    local dir entry
    dir=$(cd "$1" && pwd) || return 1
    core_list "$dir/sources.txt" | while IFS= read -r entry; do
        [[ -f $dir/$entry ]] || { echo "core.sh: core/sources.txt names $entry, which does not exist" >&2; return 1; }
        printf '%s\n' "$dir/$entry"
    done
}

core_cflags() { core_list "$1/cflags.txt"; }

core_build_archive() {
    local dir objdir=$2 archive=$3 src obj sources flags objs=()
    dir=$(cd "$1" && pwd) || return 1
    shift 3
    sources=$(core_sources "$dir") || return 1
    flags=$(core_cflags "$dir") || return 1
    mkdir -p "$objdir"
    while IFS= read -r src; do
        # src/platform/linux.c -> src_platform_linux.o: unique even if two directories share a name.
        obj=${src#"$dir"/}
        obj=$objdir/${obj//\//_}
        obj=${obj%.c}.o
        # shellcheck disable=SC2086 # one flag a line, none with blanks
        cc $flags "$@" -c "$src" -o "$obj" || return 1
        objs+=("$obj")
    done <<<"$sources"
    rm -f "$archive"
    ar rcs "$archive" "${objs[@]}"
}
