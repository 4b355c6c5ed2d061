#!/usr/bin/env bash
# The cross builds of issue 16: what can be run here is run, what cannot is compiled and linked,
# and the output says which is which.
#
#   scripts/cross.sh windows   the windows preset (mingw-w64, cmake/toolchain-mingw.cmake): the
#                              core (DLL and static), the cmocka tests, the CLI; then, under Wine
#                              in one temporary prefix, `ctest --preset windows` (the cmocka
#                              tests, the DLL's export table, two_process: a writer and a reader
#                              process on one channel) and tools/tests/wine_cli_test.sh (the CLI)
#   scripts/cross.sh macos     the macos-x86_64 and macos-aarch64 presets (zig cc,
#                              cmake/toolchain-zig.cmake): the core (dylib and static), the CLI
#                              and the C tests, compiled and linked; each output is read for its
#                              object format (scripts/lib/objformat.py): a Mach-O library or
#                              executable of the right CPU. Nothing runs: there is no macOS here.
#   scripts/cross.sh all       both
#
# Needs scripts/install-deps.sh --windows (mingw, Wine, cmocka for mingw) and --macos (zig,
# cmocka for both macOS targets); scripts/test.sh runs it first. Exit status 0 when every build
# and every test that runs passed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib/cross-tools.sh
. "$root/scripts/lib/cross-tools.sh"

what="${1:-}"
case "$what" in
    windows | macos | all) ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: scripts/cross.sh windows|macos|all (try --help)" >&2; exit 2 ;;
esac

say() { printf 'cross: %s\n' "$*"; }
# quietly LOG CMD...: CMD with its output in LOG; if it fails, the command and LOG's last lines.
quietly() {
    local log="$1"
    shift
    "$@" >"$log" 2>&1 && return 0
    local rc=$?
    say "FAILED (exit $rc): $*"
    tail -n 60 "$log" | sed 's/^/    | /'
    return $rc
}
need() {
    [[ -n "$2" ]] && return 0
    say "missing: $1: run scripts/install-deps.sh $3"
    return 1
}

logs="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-cross.XXXXXX")"
wineprefix=""
session=""
cleanup() {
    [[ -z "$session" ]] || kill "$session" 2>/dev/null
    if [[ -n "$wineprefix" ]]; then
        WINEPREFIX="$wineprefix" wineserver -k >/dev/null 2>&1
        rm -rf "$wineprefix"
    fi
    rm -rf "$logs"
}
trap cleanup EXIT

# What a cross build leaves out, and why (core/tests/CMakeLists.txt, tools/CMakeLists.txt).
left_out() {
    say "not in a cross build (they run this machine's tools on the result): abi_baseline (abidiff"
    say "  of an ELF library), installed_consumers (builds with this machine's compiler), the CLI's"
    say "  bash tests and man pages (run the built binary here; tools/tests/wine_cli_test.sh drives"
    say "  the Windows CLI instead)"
}

windows() {
    local t0=$SECONDS prefix b=build-windows
    prefix="$(cross_cmocka_mingw_prefix)"
    need "x86_64-w64-mingw32-gcc" "$(command -v x86_64-w64-mingw32-gcc)" --windows &&
        need "wine" "$(command -v wine)" --windows &&
        need "cmocka for mingw ($prefix)" "$([[ -f "$prefix/.complete" ]] && echo y)" --windows || return 1
    export HFTIPC_MINGW_PREFIX="$prefix"
    say "windows: configure and build the windows preset (mingw-w64, $b/)"
    quietly "$logs/windows-configure.log" cmake --preset windows || return 1
    if ! quietly "$logs/windows-build.log" cmake --build --preset windows; then
        # The usual reason while the Windows layer is incomplete: name it in one line.
        local missing
        missing="$(grep -o "undefined reference to \`hftipc__[a-z_]*'" "$logs/windows-build.log" |
            sed "s/.*\`//; s/'//" | sort -u | tr '\n' ' ')"
        [[ -z "$missing" ]] ||
            say "windows: the build stops at linking the core: no Windows definition of $missing(core/src/platform/windows.c)"
        return 1
    fi
    say "windows: built in $((SECONDS - t0)) s: $(cd "$b" && find . -path ./CMakeFiles -prune -o \( -name '*.exe' -o -name '*.dll' \) -print | sed 's|^\./||' | sort | tr '\n' ' ')"

    # One prefix for the whole run: Wine's first start builds it (measured here), and the
    # programs of a run share it as programs of one Windows session do.
    wineprefix="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-wineprefix.XXXXXX")"
    export WINEPREFIX="$wineprefix"
    local t1=$SECONDS
    env -u DISPLAY -u WAYLAND_DISPLAY WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml=' \
        timeout 300 wine wineboot --init >"$logs/wineboot.log" 2>&1
    WINEPREFIX="$wineprefix" wineserver -w
    say "windows: Wine prefix created (first start) in $((SECONDS - t1)) s"
    # Wine's services, started with the session's first program, keep that program's output
    # open: let them be this keeper's (core/tests/cross/wine_session.c), not a test's.
    env -u DISPLAY -u WAYLAND_DISPLAY WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml=' \
        wine "$b/core/tests/wine_session.exe" </dev/null >/dev/null 2>&1 &
    session=$!
    # The keeper starts asynchronously: a program run to its end, output nowhere as well, makes
    # sure the services are up before the first test (whichever of the two started them).
    env -u DISPLAY -u WAYLAND_DISPLAY WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml=' \
        timeout 120 wine cmd /c exit </dev/null >/dev/null 2>&1
    sleep 1

    local rc=0 t2=$SECONDS
    say "windows: ctest --preset windows under Wine (scripts/wine-run.sh is the emulator)"
    ctest --preset windows -j2 --timeout 300 2>&1 | sed 's/^/    /'
    [[ ${PIPESTATUS[0]} -eq 0 ]] || rc=1
    say "windows: tests run under Wine in $((SECONDS - t2)) s"
    local t3=$SECONDS
    say "windows: the CLI under Wine (tools/tests/wine_cli_test.sh)"
    bash tools/tests/wine_cli_test.sh "$b/tools/hftipc.exe" 2>&1 | sed 's/^/    /'
    [[ ${PIPESTATUS[0]} -eq 0 ]] || rc=1
    say "windows: CLI under Wine in $((SECONDS - t3)) s; whole windows step $((SECONDS - t0)) s"
    left_out
    say "not built for Windows (each is a ctest that says so and is skipped; what tests the mechanism instead):"
    sed 's/^/    /' "$b/core/tests/not_on_windows.txt"
    say "  examples/c/demo.c (its producer is a fork()ed process)"
    return $rc
}

macos() {
    local t0=$SECONDS zig rc=0 arch b f
    zig="$(cross_zig)"
    need "zig ($zig)" "$([[ -x "$zig" ]] && echo y)" --macos || return 1
    export HFTIPC_ZIG="$zig"
    for arch in x86_64 aarch64; do
        local t1=$SECONDS
        export HFTIPC_ZIG_PREFIX
        HFTIPC_ZIG_PREFIX="$(cross_cmocka_zig_prefix "$arch-macos")"
        need "cmocka for $arch-macos ($HFTIPC_ZIG_PREFIX)" \
            "$([[ -f "$HFTIPC_ZIG_PREFIX/.complete" ]] && echo y)" --macos || return 1
        b="build-macos-$arch"
        say "macos: configure and build the macos-$arch preset (zig cc -target $arch-macos, $b/)"
        quietly "$logs/macos-$arch-configure.log" cmake --preset "macos-$arch" || { rc=1; continue; }
        quietly "$logs/macos-$arch-build.log" cmake --build --preset "macos-$arch" || { rc=1; continue; }
        # Every program and library of the build (the core, the CLI, the tests, the examples),
        # each read for its object format (scripts/lib/objformat.py): a Mach-O library or
        # executable for this CPU. Static archives hold Mach-O objects: they are linked here.
        local outputs=() bad=() formats
        mapfile -t outputs < <(cd "$b" && find . -type f \( -name '*.dylib' -o -perm -u+x \) \
            ! -path '*/CMakeFiles/*' ! -path "./zig-*" | sed 's|^\./||' | sort)
        formats="$(cd "$b" && python3 "$root/scripts/lib/objformat.py" "${outputs[@]}")"
        for f in "${outputs[@]}"; do
            local kind=executable
            [[ "$f" == *.dylib ]] && kind=shared
            grep -qx "$f: macho-$arch-$kind" <<<"$formats" || bad+=("$f ($(grep "^$f: " <<<"$formats" | sed 's/^[^:]*: //'))")
        done
        for f in core/libhftipc.dylib core/libhftipc.a tools/hftipc core/tests/test_channel core/tests/two_process; do
            [[ -e "$b/$f" ]] || bad+=("$f (missing)")
        done
        if ((${#bad[@]})); then
            say "macos: $arch: FAILED: not a Mach-O $arch file of its kind, or missing: ${bad[*]}"
            rc=1
        else
            say "macos: $arch: ${#outputs[@]} Mach-O $arch programs and libraries (and core/libhftipc.a), compiled and linked in $((SECONDS - t1)) s"
            say "macos: $arch: NOT RUN (no macOS here): ${outputs[*]}"
        fi
    done
    say "macos: whole macos step $((SECONDS - t0)) s"
    return $rc
}

status=0
if [[ "$what" == windows || "$what" == all ]]; then windows || status=1; fi
if [[ "$what" == macos || "$what" == all ]]; then macos || status=1; fi
exit $status
