#!/usr/bin/env bash
# The CLI as installed by `cmake --install` into a temporary prefix, then moved (an installed
# tree must not depend on where it was built or first installed):
#   - `hftipc bench` finds the installed hftipc_bench and runs it;
#   - the man pages are in share/man/man1, man(1) finds them, and they say what --help says.
# Usage: install_test.sh BUILD_DIR
set -u
build=${1:?usage: install_test.sh BUILD_DIR}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work=$(mktemp -d "${TMPDIR:-/tmp}/hftipc-install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0
ok() { echo "ok   - $1"; }
fail() {
    failed=$((failed + 1))
    echo "FAIL - $1"
}

if ! cmake --install "$build" --prefix "$work/staged" >"$work/install.log" 2>&1; then
    cat "$work/install.log"
    echo "FAIL - cmake --install"
    exit 1
fi
mv "$work/staged" "$work/prefix"
prefix=$work/prefix
hftipc=$prefix/bin/hftipc
[[ -x $hftipc ]] && ok "hftipc is installed in bin/" || fail "hftipc is installed in bin/"

# Run from a directory without the build tree and with a PATH that has no hftipc_bench, so
# only the installed copy can be found.
# Decided by the build, not by what was installed: a missing install rule must fail here.
if [[ -x $build/bench/hftipc_bench ]]; then
    (cd "$work" && PATH=/usr/bin:/bin "$hftipc" bench --smoke) >"$work/out" 2>"$work/err"
    rc=$?
    if [[ $rc -eq 0 && -s $work/out ]]; then
        ok "installed hftipc bench runs the installed hftipc_bench"
    else
        fail "installed hftipc bench runs the installed hftipc_bench (status $rc)"
        head -c 600 "$work/err"
    fi
else
    echo "ok   - # SKIP hftipc bench: the benchmark is not built (HFTIPC_BUILD_BENCH=OFF)"
fi

mandir=$prefix/share/man
if [[ -f $mandir/man1/hftipc.1 && -f $mandir/man1/hftipc-create.1 ]]; then
    ok "man pages are installed in share/man/man1"
else
    fail "man pages are installed in share/man/man1"
fi
found=$(MANPATH=$mandir man -w hftipc-inspect 2>/dev/null)
[[ $found == "$mandir/man1/hftipc-inspect.1" ]] && ok "man finds hftipc-inspect(1)" ||
    fail "man finds hftipc-inspect(1) (got '$found')"

bash "$here/man_test.sh" "$hftipc" "$mandir/man1" >"$work/man.log"
rc=$?
if [[ $rc -eq 0 ]]; then
    ok "installed man pages match the installed hftipc --help ($(tail -n1 "$work/man.log"))"
elif [[ $rc -eq 77 ]]; then
    echo "ok   - # SKIP man_test: $(cat "$work/man.log")"
else
    fail "installed man pages match the installed hftipc --help"
    grep FAIL -A2 "$work/man.log"
fi

echo
echo "install_test: $failed failed"
[[ $failed -eq 0 ]]
