#!/usr/bin/env bash
# Tests of scripts/install-deps.sh: its probes see a capability that is missing and name it, with
# the package that provides it. Each case takes one capability away from the probes only, never
# from the machine: a clang whose resource directory has no runtime libraries, a PATH without
# swig (or with a too old one), a pkg-config that finds no cmocka, a C++ compiler whose include
# path shadows boost/lockfree/spsc_queue.hpp, a CXX that does not exist, a mingw without its C
# runtime, a Wine that runs the program wrongly, an empty cache of cross-built tools, a zig that
# builds for Linux instead of macOS. The installer runs with
# --no-install (or HFTIPC_DEPS_NO_INSTALL=1), and an apt-get that records any call stands first
# on the PATH: the test fails if apt-get is called at all. Nothing is installed or removed.
#
# Needs what `scripts/install-deps.sh --java --fuzz --windows --macos` installs (scripts/test.sh
# runs it first).
#   scripts/tests/install_deps_test.sh
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/cross-tools.sh
. "$root/scripts/lib/cross-tools.sh"
installer="$root/scripts/install-deps.sh"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-deps-test.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# A fake apt-get first on every PATH the installer gets: it records the call and fails.
mkdir -p "$tmp/apt"
cat >"$tmp/apt/apt-get" <<EOF
#!/bin/sh
echo "apt-get \$*" >>"$tmp/apt-calls"
exit 100
EOF
chmod +x "$tmp/apt/apt-get"

# run NAME ENV... -- ARGS...: run the installer with extra environment; output in $tmp/NAME.out,
# exit status in RC.
run() {
    local name="$1"
    shift
    local envs=()
    while [[ "$1" != -- ]]; do envs+=("$1"); shift; done
    shift
    env PATH="$tmp/apt:$PATH" "${envs[@]}" bash "$installer" "$@" >"$tmp/$name.out" 2>&1
    RC=$?
}
# expect NAME WHAT PATTERN: the output of run NAME matches the extended regex PATTERN.
expect() {
    if grep -Eq -- "$3" "$tmp/$1.out"; then
        return 0
    fi
    fail "$1: $2 (no line matching '$3'); the installer printed:"
    sed 's/^/    | /' "$tmp/$1.out"
    return 1
}
# rc_is NAME WANT: the run NAME exited WANT (else fail, with its output).
rc_is() {
    [[ $RC -eq $2 ]] && return 0
    fail "$1: exit $RC, want $2; the installer printed:"
    sed 's/^/    | /' "$tmp/$1.out"
    return 1
}
# missing_caps NAME: the capabilities the installer's summary of run NAME lists as missing.
missing_caps() { sed -n 's/^install-deps: missing: \(.*\) (would install: .*/\1/p' "$tmp/$1.out"; }
# missing_only NAME CAPS: the installer's summary lists exactly CAPS as missing.
missing_only() {
    local got
    got="$(missing_caps "$1" | xargs)"
    [[ "$got" == "$2" ]] && return 0
    fail "$1: missing capabilities are '$got', want '$2'; the installer printed:"
    sed 's/^/    | /' "$tmp/$1.out"
    return 1
}

zig="$(cross_zig)"
for tool in clang swig pkg-config mvn x86_64-w64-mingw32-gcc wine "$zig"; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "install_deps_test: '$tool' is not installed: run scripts/install-deps.sh --java --fuzz --windows --macos first"
        exit 1
    }
done

# 1. Everything present: the probes pass (a probe that always failed would fail here).
run all -- --java --fuzz --windows --macos --no-install
rc_is all 0 &&
    expect all "every capability ok" '^install-deps: ok: .*\bswig\b.*\bjni\b.*\bfuzzer\b.*\bmingw\b.*\bwine\b.*\bcmocka-mingw\b.*\bzig\b' &&
    pass "all capabilities present: the probes pass ($(sed -n 's/^install-deps: ok: //p' "$tmp/all.out" | wc -w) probed)"

# 2. A clang that cannot link the fuzzer runtime: its resource directory has the headers and data
# of the real one but no lib/, as on a machine without libclang-rt-N-dev.
res="$(clang -print-resource-dir)"
major="$(clang -dumpversion | cut -d. -f1)"
mkdir -p "$tmp/res"
for d in include share; do [[ -e "$res/$d" ]] && ln -s "$res/$d" "$tmp/res/$d"; done
cat >"$tmp/clang-no-rt" <<EOF
#!/bin/sh
exec clang -resource-dir "$tmp/res" "\$@"
EOF
chmod +x "$tmp/clang-no-rt"
run fuzzer HFTIPC_DEPS_CLANG="$tmp/clang-no-rt" -- --fuzz --no-install
rc_is fuzzer 1 && expect fuzzer "names the capability" "^install-deps: missing capability 'fuzzer': .*-fsanitize=fuzzer" &&
    expect fuzzer "names the package" "package that provides it: clang libclang-rt-$major-dev\$" &&
    expect fuzzer "shows the link error" 'libclang_rt\.(fuzzer|asan|ubsan)' && missing_only fuzzer fuzzer &&
    pass "clang without its runtime libraries: 'fuzzer' missing, package clang libclang-rt-$major-dev named, link error shown"

# 3. A PATH without swig: a directory of links to every command on the PATH but swig.
mkdir -p "$tmp/noswig"
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
    [[ -d "$d" ]] || continue
    for f in "$d"/*; do
        b="${f##*/}"
        [[ "$b" == swig* || -e "$tmp/noswig/$b" || ! -x "$f" || -d "$f" ]] && continue
        ln -s "$f" "$tmp/noswig/$b"
    done
done
run noswig PATH="$tmp/apt:$tmp/noswig" -- --java --no-install
rc_is noswig 1 && expect noswig "names the capability" "^install-deps: missing capability 'swig': " &&
    expect noswig "names the package" 'package that provides it: swig$' &&
    expect noswig "says why" "no 'swig' on the PATH" && missing_only noswig swig &&
    pass "PATH without swig: 'swig' missing, package swig named"

# 4. A swig older than bindings/java/CMakeLists.txt asks for (the environment variable form of
# --no-install, too).
want_swig="$(sed -n 's/.*find_package(SWIG \([0-9.]*\).*/\1/p' "$root/bindings/java/CMakeLists.txt" | head -n 1)"
mkdir -p "$tmp/oldswig"
printf '#!/bin/sh\necho; echo "SWIG Version 3.0.12"\n' >"$tmp/oldswig/swig"
chmod +x "$tmp/oldswig/swig"
run oldswig PATH="$tmp/apt:$tmp/oldswig:$tmp/noswig" HFTIPC_DEPS_NO_INSTALL=1 -- --java
rc_is oldswig 1 && expect oldswig "names the capability" "^install-deps: missing capability 'swig': " &&
    expect oldswig "gives both versions" "swig 3\.0\.12, bindings/java/CMakeLists.txt needs $want_swig" &&
    missing_only oldswig swig && pass "swig 3.0.12 (needs $want_swig): 'swig' missing, both versions shown"

# 5. A pkg-config that finds no cmocka.
mkdir -p "$tmp/empty-pc"
run cmocka PKG_CONFIG_LIBDIR="$tmp/empty-pc" PKG_CONFIG_PATH= -- --no-install
rc_is cmocka 1 && expect cmocka "names the capability" "^install-deps: missing capability 'cmocka': " &&
    expect cmocka "names the package" 'package that provides it: libcmocka-dev$' && missing_only cmocka cmocka &&
    pass "pkg-config without cmocka: 'cmocka' missing, package libcmocka-dev named"

# 6. A mingw without its C runtime (every link fails, as with the compiler but not
# mingw-w64-x86-64-dev): mingw is missing, and so are the capabilities that build with it.
cat >"$tmp/mingw-no-crt" <<'EOF'
#!/bin/sh
exec x86_64-w64-mingw32-gcc "$@" -nostdlib
EOF
chmod +x "$tmp/mingw-no-crt"
run mingw HFTIPC_DEPS_MINGW_CC="$tmp/mingw-no-crt" -- --windows --no-install
rc_is mingw 1 && expect mingw "names the capability" "^install-deps: missing capability 'mingw': " &&
    expect mingw "names the package" 'package that provides it: gcc-mingw-w64-x86-64$' &&
    expect mingw "shows the link error" 'undefined reference to' &&
    missing_only mingw "mingw wine cmocka-mingw" &&
    pass "mingw without its C runtime: 'mingw' (and wine, cmocka-mingw, built with it) missing, link error shown"

# 7. A Wine that starts but does not run the program right: the probe checks what it printed.
mkdir -p "$tmp/badwine"
printf '#!/bin/sh\necho "hftipc cross probe: 41"\n' >"$tmp/badwine/wine"
chmod +x "$tmp/badwine/wine"
run wine HFTIPC_DEPS_WINE="$tmp/badwine/wine" -- --windows --no-install
rc_is wine 1 && expect wine "names the capability" "^install-deps: missing capability 'wine': " &&
    expect wine "names the packages" 'package that provides it: gcc-mingw-w64-x86-64 wine wine64$' &&
    expect wine "shows what it printed" "printed 'hftipc cross probe: 41'" &&
    expect wine "shows what it wanted" "want 'hftipc cross probe: 42'" &&
    missing_only wine wine && pass "Wine printing the wrong result: 'wine' missing, output and expectation shown"

# 8. An empty cache: cmocka for mingw and for macOS is not built yet; --no-install names the
# fetch steps and fetches nothing (zig is the real one, through HFTIPC_ZIG).
mkdir -p "$tmp/cache"
run cache HFTIPC_DEPS_CACHE="$tmp/cache" HFTIPC_ZIG="$zig" -- --windows --macos --no-install
if rc_is cache 1 && expect cache "names the capability" "^install-deps: missing capability 'cmocka-mingw': " &&
    expect cache "names the fetch steps" "would then fetch or build into $tmp/cache: cmocka-mingw ziglang cmocka-macos\)\$" &&
    missing_only cache "cmocka-mingw cmocka-macos"; then
    if [[ -n "$(ls -A "$tmp/cache")" ]]; then
        fail "cache: --no-install wrote into the cache: $(ls -A "$tmp/cache")"
    else
        pass "empty cache: 'cmocka-mingw' and 'cmocka-macos' missing, their builds from Debian source named, nothing fetched"
    fi
fi

# 9. A zig whose `cc` ignores -target and builds for this machine: the probe checks that the
# output is a Mach-O file (cmocka-macos, linked with that zig, is missing too).
cat >"$tmp/zig-linux" <<'EOF'
#!/bin/sh
shift 3 # cc -target T
exec cc "$@"
EOF
chmod +x "$tmp/zig-linux"
run zig HFTIPC_ZIG="$tmp/zig-linux" -- --macos --no-install
rc_is zig 1 && expect zig "names the capability" "^install-deps: missing capability 'zig': " &&
    expect zig "names the package" 'package that provides it: python3-venv \+ziglang$' &&
    expect zig "says why" 'mac-x86_64-macos is not a Mach-O 64 file \(starts 7f454c46\)' &&
    missing_only zig "zig cmocka-macos" && pass "zig building ELF for macos targets: 'zig' missing, not-Mach-O shown"

# 10. A bad option is refused.
run badopt -- --frobnicate
rc_is badopt 2 && expect badopt "names the option" "unknown option '--frobnicate'" &&
    pass "unknown option: exit 2, named"

# named_missing NAME CAP PACKAGES: the run NAME failed (exit 1) naming CAP as missing and PACKAGES
# (an extended regex) as what provides it.
named_missing() {
    rc_is "$1" 1 && expect "$1" "names the capability" "^install-deps: missing capability '$2': " &&
        expect "$1" "names the package" "package that provides it: $3\$"
}
# missing_is NAME CAP yes|no: whether the run NAME reports CAP missing, as wanted.
missing_is() {
    local got=no
    missing_caps "$1" | grep -qw -- "$2" && got=yes
    [[ "$got" == "$3" ]] && return 0
    fail "$1: '$2' reported missing: $got, want $3; the installer printed:"
    sed 's/^/    | /' "$tmp/$1.out"
    return 1
}

# 7. --bench: a C++ compiler that works but finds no usable Boost: its first include directory
# has a boost/lockfree/spsc_queue.hpp that stops the compilation, as on a machine without
# libboost-dev. (--bench also probes matplotlib, which this test does not need installed:
# the checks look at 'boost' and 'cxx' only.)
real_cxx="$(command -v c++ || command -v clang++)"
mkdir -p "$tmp/noboost/boost/lockfree"
# (An #include of a header that does not exist stops the compiler at once, as the real missing
# header does; an #error would let it go on and bury the reason under the errors that follow.)
printf '#include <no_boost_headers_install_deps_test.h>\n' >"$tmp/noboost/boost/lockfree/spsc_queue.hpp"
cat >"$tmp/cxx-no-boost" <<EOF
#!/bin/sh
exec "$real_cxx" -I"$tmp/noboost" "\$@"
EOF
chmod +x "$tmp/cxx-no-boost"
run noboost CXX="$tmp/cxx-no-boost" -- --bench --no-install
named_missing noboost boost libboost-dev &&
    expect noboost "shows the compile error" 'no_boost_headers_install_deps_test\.h: No such file' &&
    missing_is noboost boost yes && missing_is noboost cxx no &&
    pass "C++ compiler without Boost: 'boost' missing, package libboost-dev named, the compiler itself ok"

# 8. --bench with a CXX that does not exist: the compiler is missing (package g++), and so is
# Boost, which it compiles.
run nocxx CXX="$tmp/no-such-c++" -- --bench --no-install
named_missing nocxx cxx 'g\+\+' &&
    expect nocxx "says why" "no '$tmp/no-such-c\+\+' on the PATH" &&
    missing_is nocxx cxx yes && missing_is nocxx boost yes &&
    pass "CXX that does not exist: 'cxx' missing, package g++ named; 'boost' missing with it"

# None of the above may have called apt-get.
if [[ -e "$tmp/apt-calls" ]]; then
    fail "apt-get was called despite --no-install:"
    sed 's/^/    | /' "$tmp/apt-calls"
else
    pass "apt-get never called"
fi

echo "install_deps_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
