#!/usr/bin/env bash
# Runs a Windows program under Wine the way hftipc's tests need it: no display (nothing may need
# X), no Wine debug output, no Gecko or Mono installer, the program's exit status as ours. The
# windows preset names this script as CMAKE_CROSSCOMPILING_EMULATOR, so `ctest --preset windows`
# runs each test program through it.
#
#   scripts/wine-run.sh PROGRAM.exe [ARGS...]
#
# WINEPREFIX: the Wine prefix to use. scripts/cross.sh windows creates one for its whole run
# (Wine's first start in a new prefix takes seconds), and every program it runs shares it, as
# programs on one Windows machine share one session: a file mapping or an event object two of
# them open is the same object (one wineserver per prefix). Without WINEPREFIX this script makes
# a temporary prefix and removes it afterwards (slow; for a single manual run).
# HFTIPC_DEPS_WINE: the Wine loader (default wine), as for scripts/install-deps.sh.
set -uo pipefail
[[ $# -ge 1 ]] || { echo "usage: scripts/wine-run.sh PROGRAM.exe [ARGS...]" >&2; exit 2; }
wine="${HFTIPC_DEPS_WINE:-wine}"
command -v "$wine" >/dev/null 2>&1 ||
    { echo "wine-run.sh: no '$wine' on the PATH: run scripts/install-deps.sh --windows" >&2; exit 1; }
own=""
if [[ -z "${WINEPREFIX:-}" ]]; then
    own="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-wine.XXXXXX")"
    export WINEPREFIX="$own"
fi
unset DISPLAY WAYLAND_DISPLAY
export WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml='
"$wine" "$@"
rc=$?
if [[ -n "$own" ]]; then
    wineserver -k >/dev/null 2>&1
    rm -rf "$own"
fi
exit $rc
