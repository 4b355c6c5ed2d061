#!/usr/bin/env bash
# Makes this machine able to do what hftipc's builds and tests do, installing a Debian package
# only when a probe shows that its capability is missing. Idempotent; quiet when nothing is missing.
#
#   scripts/install-deps.sh [--java] [--fuzz] [--bench] [--release] [--containers] [--windows]
#                           [--macos] [--no-install] [--list]
#
# A capability is probed by doing it, in a temporary directory: compile and link (and run) a
# tiny program with the sanitizer flags a preset uses, link cmocka through pkg-config, run SWIG
# on a small interface, build a JNI library against the headers of the JDK that Maven runs, and
# so on (--list prints the table). The capabilities that fail are installed with one `apt-get update` and
# one `apt-get install` of the packages in their rows, then the rows' fetch steps (below), and
# probed again. A capability still
# missing then is reported by name, with what its probe printed and the packages that were tried;
# the exit status is 1.
#
#   (no option)   what every build needs: C compiler, CMake, Ninja, pkg-config, cmocka,
#                 clang-format, abidiff/abidw, python3, the ASan+UBSan and TSan runtimes
#   --java        also the Java binding: SWIG, a JDK on the PATH, Maven, JNI headers of Maven's JDK
#   --fuzz        also the libFuzzer targets: clang with its fuzzer and sanitizer runtimes
#   --bench       also matplotlib for /usr/bin/python3 (the charts of scripts/bench-all.sh), a C++
#                 compiler and the Boost headers (the boost::lockfree::spsc_queue baseline of
#                 hftipc_bench, bench/boost_ring.cpp)
#   --release     also the release artifacts: the aarch64 cross compiler (the release jar's
#                 linux-aarch64 JNI library, scripts/release.sh) and qemu-user (release-tests
#                 run that library)
#   --containers  also Debian's Dockerfile parser (golang-github-openshift-imagebuilder-dev),
#                 which deploy/docker/images.sh lint builds against (no container engine needed)
#   --windows     also the Windows cross build and its test run (scripts/cross.sh windows):
#                 mingw-w64, Wine (run with a temporary WINEPREFIX, no display), and cmocka
#                 cross-built for mingw from Debian's source package into the cache
#   --macos       also the macOS cross builds (scripts/cross.sh macos): zig, from the PyPI
#                 package ziglang installed with pip into a venv in the cache, and cmocka
#                 cross-built with it for x86_64-macos and aarch64-macos (the C tests link it)
#   --no-install  probe only: report what is missing and the packages that would be installed,
#                 never call apt-get (also HFTIPC_DEPS_NO_INSTALL=1); exit 1 if anything is missing
#   --list        print the capability table (name, option, packages, what is probed) and exit
#
# Environment: CC, the C compiler of the CMake presets (default cc); CXX, the C++ compiler of the
# boost baseline (default c++); HFTIPC_DEPS_CLANG, the clang
# of the fuzz preset (default clang); PKG_CONFIG_PATH and PKG_CONFIG_LIBDIR as pkg-config reads them;
# HFTIPC_DEPS_MINGW_CC, the mingw compiler (default x86_64-w64-mingw32-gcc); HFTIPC_DEPS_WINE, the
# Wine loader (default wine); HFTIPC_DEPS_CACHE, where the fetched and built tools live (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/hftipc-deps); HFTIPC_ZIG, a zig to use instead of the cached one
# (scripts/lib/cross-tools.sh).
# Go is not installed here (Debian's is older than bindings/go/go.mod needs).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/cross-tools.sh
. "$root/scripts/lib/cross-tools.sh"

# ---- The capabilities: the one list of what hftipc needs and which package provides it -------
# One row per capability, fields separated by '|':
#   name | option (base: always; else --java, --fuzz or --bench) | Debian packages | probe | what
# The probe is a function defined below, with whitespace-separated arguments. In the packages,
# @cc-sanitizers and @clang-runtime stand for the sanitizer runtime package of the compiler found
# (libgcc-N-dev for gcc N, libclang-rt-N-dev for clang N). A package written +NAME is not a
# Debian package but a fetch step, the function fetch_NAME below, run after apt-get (which
# installs what it needs: the Debian packages of the same row); it fetches or builds the tool
# into the cache (scripts/lib/cross-tools.sh). Rows are probed in this order.
# To add a capability: one row here and, unless probe_run or another probe fits, one probe_NAME
# function below that does the thing in the current (temporary) directory and fails if it can't;
# a new option is one more case in the argument loop. scripts/tests/install_deps_test.sh shows
# how to test that a probe sees the capability missing.
capabilities='
cc           | base  | gcc libc6-dev           | probe_c11                        | C11 compiler (CC, default cc) compiling and linking <stdatomic.h>
cmake        | base  | cmake                   | probe_cmake                      | CMake at least the version CMakePresets.json requires
ninja        | base  | ninja-build             | probe_run ninja --version        | Ninja, the generator of every preset
pkg-config   | base  | pkgconf                 | probe_run pkg-config --version   | pkg-config
cmocka       | base  | libcmocka-dev           | probe_cmocka                     | cmocka found by pkg-config and linked into a test program
clang-format | base  | clang-format            | probe_clang_format               | clang-format reading the repository .clang-format
abigail      | base  | abigail-tools           | probe_abigail                    | abidiff and abidw (ABI baseline check)
python3      | base  | python3                 | probe_python3                    | python3 (amalgamation, interop checks)
asan         | base  | @cc-sanitizers          | probe_sanitizer address,undefined | the C compiler (CC, default cc) linking and running -fsanitize=address,undefined (asan preset)
tsan         | base  | @cc-sanitizers          | probe_sanitizer thread           | the C compiler (CC, default cc) linking and running -fsanitize=thread (tsan preset)
swig         | java  | swig                    | probe_swig                       | SWIG of the version bindings/java/CMakeLists.txt needs, generating Java
jdk          | java  | openjdk-17-jdk-headless | probe_javac                      | javac on the PATH compiling for the release bindings/java/pom.xml sets
maven        | java  | maven                   | probe_maven                      | Maven (mvn), reporting the JDK it runs
jni          | java  | openjdk-17-jdk-headless | probe_jni                        | a JNI library built against the headers of the JDK Maven runs
fuzzer       | fuzz  | clang @clang-runtime    | probe_fuzzer                     | clang (HFTIPC_DEPS_CLANG, default clang) linking and running -fsanitize=fuzzer,address,undefined
matplotlib   | bench | python3-matplotlib      | probe_matplotlib                 | /usr/bin/python3 drawing a PNG with matplotlib
cxx          | bench | g++                     | probe_cxx                        | C++ compiler (CXX, default c++) compiling, linking and running C++17
boost        | bench | libboost-dev            | probe_boost                      | boost::lockfree::spsc_queue compiled (CXX, default c++), pushed to and popped from (the baseline of bench/boost_ring.cpp)
nroff        | base  | groff-base              | probe_run nroff --version        | nroff rendering the CLI man pages (tools/tests/man_test.sh)
aarch64-cc   | release | gcc-aarch64-linux-gnu libc6-dev-arm64-cross | probe_cross_aarch64 | aarch64-linux-gnu-gcc linking a shared library (the linux-aarch64 JNI library of the release jar)
qemu-aarch64 | release | qemu-user              | probe_run qemu-aarch64 --version | qemu-aarch64 running an aarch64 program (release-tests load that library)
imagebuilder | containers | golang-github-openshift-imagebuilder-dev | probe_imagebuilder | the Go sources of imagebuilder and its Dockerfile parser in /usr/share/gocode (deploy/docker/lint)
mingw        | windows | gcc-mingw-w64-x86-64  | probe_mingw                  | x86_64-w64-mingw32-gcc (HFTIPC_DEPS_MINGW_CC) compiling and linking a C11 <stdatomic.h> program, static and as a DLL
wine         | windows | gcc-mingw-w64-x86-64 wine wine64 | probe_wine        | Wine (HFTIPC_DEPS_WINE, default wine) running that program, no display, in a temporary WINEPREFIX, printing what it should
cmocka-mingw | windows | gcc-mingw-w64-x86-64 cmake ninja-build python3 xz-utils +cmocka-mingw | probe_cmocka_mingw | cmocka cross-built for mingw from the Debian source package (cache), linked into a test program
zig          | macos   | python3-venv +ziglang | probe_zig                    | zig cc (PyPI ziglang in a venv in the cache, or HFTIPC_ZIG) compiling and linking for x86_64-macos and aarch64-macos
cmocka-macos | macos   | python3-venv cmake ninja-build python3 xz-utils +ziglang +cmocka-macos | probe_cmocka_macos | cmocka cross-built with zig cc for x86_64-macos and aarch64-macos from the Debian source package (cache), linked into a test program
'

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }

groups=(base)
no_install="${HFTIPC_DEPS_NO_INSTALL:-0}"
list=0
for arg in "$@"; do
    case "$arg" in
        --java) groups+=(java) ;;
        --fuzz) groups+=(fuzz) ;;
        --bench) groups+=(bench) ;;
        --release) groups+=(release) ;;
        --containers) groups+=(containers) ;;
        --windows) groups+=(windows) ;;
        --macos) groups+=(macos) ;;
        --no-install) no_install=1 ;;
        --list) list=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "install-deps.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
# rows: every table row as "name|group|packages|probe|what", trimmed, comments and blanks dropped.
rows() {
    local name group pkgs probe what
    while IFS='|' read -r name group pkgs probe what; do
        name="$(trim "$name")"
        [[ -z "$name" || "$name" == \#* ]] && continue
        printf '%s|%s|%s|%s|%s\n' "$name" "$(trim "$group")" "$(trim "$pkgs")" "$(trim "$probe")" \
            "$(trim "$what")"
    done <<<"$capabilities"
}

if ((list)); then
    printf '%-13s %-6s %-26s %s\n' capability option packages probes
    rows | while IFS='|' read -r name group pkgs probe what; do
        printf '%-13s %-6s %-26s %s\n' "$name" "$group" "$pkgs" "$what"
    done
    exit 0
fi

cc="${CC:-cc}"
cxx="${CXX:-c++}"
clang="${HFTIPC_DEPS_CLANG:-clang}"
mingw_cc="${HFTIPC_DEPS_MINGW_CC:-x86_64-w64-mingw32-gcc}"
wine="${HFTIPC_DEPS_WINE:-wine}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-deps.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# ---- Probes: each does the thing in its own directory, output to $log, status 0 if it works ---
have() { command -v "$1" >/dev/null 2>&1; }
# version_ge A B: version A >= version B (dotted numbers).
version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]; }
# c_ok COMPILER FILE.c OUT ARGS...: compile and link FILE.c (or say the compiler is missing).
c_ok() {
    local compiler="$1" src="$2" out="$3"
    shift 3
    have "$compiler" || { echo "no '$compiler' on the PATH"; return 1; }
    # The source first: libraries in ARGS (-lcmocka) must follow the objects that need them.
    echo "+ $compiler $src -o $out $*"
    "$compiler" "$src" -o "$out" "$@"
}

probe_run() {
    have "$1" || { echo "no '$1' on the PATH"; return 1; }
    echo "+ $*"
    "$@"
}

probe_c11() {
    cat >c11.c <<'EOF'
#include <stdatomic.h>
#include <stdint.h>
int main(void) {
    _Atomic uint64_t x = 0;
    atomic_fetch_add_explicit(&x, 1, memory_order_release);
    return (int)atomic_load_explicit(&x, memory_order_acquire) - 1;
}
EOF
    c_ok "$cc" c11.c c11 -std=c11 -Wall -Werror && ./c11
}

probe_cmake() {
    local want have_v
    want="$(tr -d ' \n' <"$root/CMakePresets.json" |
        sed -n 's/.*"cmakeMinimumRequired":{"major":\([0-9]*\),"minor":\([0-9]*\).*/\1.\2/p')"
    have cmake || { echo "no 'cmake' on the PATH"; return 1; }
    have_v="$(cmake --version | sed -n 's/^cmake version \([0-9.]*\).*/\1/p')"
    echo "cmake $have_v, CMakePresets.json needs ${want:-?}"
    [[ -n "$want" && -n "$have_v" ]] && version_ge "$have_v" "$want"
}

probe_cmocka() {
    have pkg-config || { echo "no 'pkg-config' on the PATH"; return 1; }
    echo "+ pkg-config --cflags --libs cmocka"
    local flags
    flags="$(pkg-config --cflags --libs cmocka)" || return 1
    cat >cm.c <<'EOF'
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
static void test_one(void **state) { (void)state; assert_int_equal(1, 1); }
int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_one)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
EOF
    # shellcheck disable=SC2086 # pkg-config output is a list of flags
    c_ok "$cc" cm.c cm $flags && ./cm
}

probe_clang_format() {
    have clang-format || { echo "no 'clang-format' on the PATH"; return 1; }
    # Inside the repository, so the .clang-format there is parsed as the real check does.
    printf 'int main(void) { return 0; }\n' | clang-format --style=file \
        --assume-filename="$root/core/src/probe.c" >/dev/null
}

probe_abigail() { probe_run abidiff --version && probe_run abidw --version; }

probe_python3() { probe_run python3 -c 'import json, hashlib, sys; sys.exit(0)'; }

probe_sanitizer() {
    cat >san.c <<'EOF'
#include <pthread.h>
#include <stdio.h>
static int value;
static void *worker(void *arg) { value = *(int *)arg; return NULL; }
int main(void) {
    int arg = 42;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, &arg) != 0 || pthread_join(t, NULL) != 0) return 1;
    printf("value %d\n", value);
    return value == 42 ? 0 : 1;
}
EOF
    c_ok "$cc" san.c "san-$1" -fsanitize="$1" -fno-omit-frame-pointer -pthread && "./san-$1"
}

probe_swig() {
    have swig || { echo "no 'swig' on the PATH"; return 1; }
    local want have_v
    want="$(sed -n 's/.*find_package(SWIG \([0-9.]*\).*/\1/p' "$root/bindings/java/CMakeLists.txt" | head -n 1)"
    have_v="$(swig -version | sed -n 's/^SWIG Version \([0-9.]*\).*/\1/p')"
    echo "swig ${have_v:-?}, bindings/java/CMakeLists.txt needs ${want:-?}"
    [[ -n "$want" && -n "$have_v" ]] && version_ge "$have_v" "$want" || return 1
    printf '%%module probe\n%%{\nint probe_add(int a, int b) { return a + b; }\n%%}\nint probe_add(int a, int b);\n' >probe.i
    mkdir -p java
    probe_run swig -java -package io.probe -outdir java -o probe_wrap.c probe.i && [[ -s java/probe.java ]]
}

pom_release() { sed -n 's:.*<maven.compiler.release>\([0-9]*\)</maven.compiler.release>.*:\1:p' "$root/bindings/java/pom.xml"; }

probe_javac() {
    have javac || { echo "no 'javac' on the PATH"; return 1; }
    local release
    release="$(pom_release)"
    mkdir -p jclasses
    printf 'public class Probe { public static void main(String[] a) { System.out.println("ok"); } }\n' >Probe.java
    probe_run javac --release "${release:?no maven.compiler.release in bindings/java/pom.xml}" \
        -d jclasses Probe.java
}

# maven_java_home: the JDK Maven runs (Maven's own ${java.home}), from `mvn -v`.
maven_java_home() {
    mvn -B -v 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | sed -n 's/.*, runtime: \(.*\)$/\1/p' | head -n 1
}

probe_maven() {
    have mvn || { echo "no 'mvn' on the PATH"; return 1; }
    local home
    home="$(maven_java_home)"
    echo "mvn -v: Java home ${home:-(none reported)}"
    [[ -n "$home" && -x "$home/bin/java" ]]
}

probe_jni() {
    have mvn || { echo "no 'mvn' on the PATH to ask for its JDK"; return 1; }
    local home
    home="$(maven_java_home)"
    echo "the JDK Maven runs: ${home:-(mvn -v reports none)}"
    [[ -n "$home" ]] || return 1
    cat >jni.c <<'EOF'
#include <jni.h>
JNIEXPORT jint JNICALL Java_Probe_add(JNIEnv *env, jclass cls, jint a, jint b);
JNIEXPORT jint JNICALL Java_Probe_add(JNIEnv *env, jclass cls, jint a, jint b) {
    (void)env;
    (void)cls;
    return a + b;
}
EOF
    c_ok "$cc" jni.c libprobe_jni.so -shared -fPIC -I"$home/include" -I"$home/include/linux" \
        -Wl,--no-undefined
}

probe_fuzzer() {
    cat >fuzz.c <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return size > 0 && data[0] == 0xff ? 0 : 0;
}
EOF
    c_ok "$clang" fuzz.c fuzz -fsanitize=fuzzer,address,undefined -g -O1 &&
        probe_run ./fuzz -runs=100 -seed=1
}

probe_cross_aarch64() {
    printf 'int hftipc_probe(void) { return 42; }\n' >cross.c
    c_ok aarch64-linux-gnu-gcc cross.c cross.so -shared -fPIC
}

probe_imagebuilder() {
    local d=/usr/share/gocode/src/github.com/openshift/imagebuilder
    [ -d "$d" ] || { echo "no $d"; return 1; }
    [ -d /usr/share/gocode/src/github.com/openshift/imagebuilder/dockerfile/parser ] ||
        [ -d /usr/share/gocode/src/github.com/moby/buildkit/frontend/dockerfile/parser ] ||
        { echo "no Dockerfile parser sources under /usr/share/gocode"; return 1; }
}

probe_matplotlib() {
    [[ -x /usr/bin/python3 ]] || { echo "no /usr/bin/python3"; return 1; }
    echo "+ /usr/bin/python3: import matplotlib (Agg), plot, savefig"
    /usr/bin/python3 - "$PWD/chart.png" <<'EOF'
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
plt.plot([0, 1], [1, 0])
plt.savefig(sys.argv[1])
EOF
    [[ -s chart.png ]]
}

probe_cxx() {
    cat >cxx.cpp <<'EOF'
#include <atomic>
#include <cstdio>
#include <optional>
int main() {
    std::atomic<unsigned long> x{0};
    x.fetch_add(1, std::memory_order_release);
    std::optional<int> v = static_cast<int>(x.load(std::memory_order_acquire));
    std::printf("c++17 ok\n");
    return *v == 1 ? 0 : 1;
}
EOF
    c_ok "$cxx" cxx.cpp cxx -std=c++17 -Wall -Werror && ./cxx
}

# The header the baseline includes, its element shape (a fixed-size message) and the compile-time
# capacity bench/boost_ring.cpp uses; the run checks what comes out and that the queue is lock-free
# (a queue with a lock could not be shared between processes).
probe_boost() {
    cat >boost.cpp <<'EOF'
#include <boost/lockfree/spsc_queue.hpp>
#include <boost/version.hpp>
#include <cstdio>
struct msg { unsigned char b[64]; };
int main() {
    static boost::lockfree::spsc_queue<msg, boost::lockfree::capacity<4096>> q;
    msg m{}, out[8];
    for (unsigned i = 0; i < 8; i++) { m.b[0] = (unsigned char)i; if (!q.push(m)) return 1; }
    if (q.pop(out, 8) != 8) return 2;
    for (unsigned i = 0; i < 8; i++) if (out[i].b[0] != i) return 3;
    std::printf("boost %d.%d, spsc_queue lock-free: %d\n", BOOST_VERSION / 100000,
                BOOST_VERSION / 100 % 1000, (int)q.is_lock_free());
    return q.is_lock_free() ? 0 : 4;
}
EOF
    c_ok "$cxx" boost.cpp boost -std=c++17 -O1 && ./boost
}

# ---- Cross toolchains (--windows, --macos) ------------------------------------------------
# write_cross_program FILE: a C11 program that needs <stdatomic.h> and prints a line that a wrong
# runtime could not print by accident (the sum is computed through the atomics).
write_cross_program() {
    cat >"$1" <<'C'
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
int main(void) {
    _Atomic uint64_t x = 40;
    atomic_fetch_add_explicit(&x, 2, memory_order_release);
    printf("hftipc cross probe: %llu\n", (unsigned long long)atomic_load_explicit(&x, memory_order_acquire));
    return 0;
}
C
}

probe_mingw() {
    write_cross_program win.c
    printf 'int hftipc_probe(void);\n__declspec(dllexport) int hftipc_probe(void) { return 42; }\n' >dll.c
    c_ok "$mingw_cc" win.c win.exe -std=c11 -Wall -Werror -static &&
        c_ok "$mingw_cc" dll.c probe.dll -std=c11 -Wall -Werror -shared -Wl,--out-implib,libprobe.dll.a
}

# wine_run PREFIX CMD...: run CMD under Wine in WINEPREFIX=PREFIX with no display and no debug
# output, bounded in time; the prefix's wineserver is stopped afterwards. Wine's first start in
# a new prefix builds it (wineboot), which takes seconds; the Gecko and Mono installers it would
# offer are disabled, since nothing here needs them and they ask through a window.
wine_run() {
    local prefix="$1" rc=0
    shift
    env -u DISPLAY -u WAYLAND_DISPLAY WINEPREFIX="$prefix" WINEDEBUG=-all \
        WINEDLLOVERRIDES='mscoree,mshtml=' timeout 300 "$@" || rc=$?
    if have wineserver; then WINEPREFIX="$prefix" wineserver -k >/dev/null 2>&1 || true; fi
    return $rc
}

probe_wine() {
    have "$wine" || { echo "no '$wine' on the PATH"; return 1; }
    write_cross_program win.c
    c_ok "$mingw_cc" win.c win.exe -std=c11 -static ||
        { echo "(the mingw capability builds the program Wine runs)"; return 1; }
    local out start=$SECONDS
    echo "+ WINEPREFIX=$PWD/prefix WINEDEBUG=-all $wine win.exe"
    out="$(wine_run "$PWD/prefix" "$wine" ./win.exe)" || { echo "$wine failed (exit $?): $out"; return 1; }
    out="${out//$'\r'/}"
    echo "printed '$out' in $((SECONDS - start)) s (a new prefix)"
    [[ "$out" == "hftipc cross probe: 42" ]] || { echo "want 'hftipc cross probe: 42'"; return 1; }
}

write_cmocka_program() {
    cat >"$1" <<'C'
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
static void test_one(void **state) { (void)state; assert_int_equal(1, 1); }
int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_one)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
C
}
# cmocka_built PREFIX: the cmocka build at PREFIX is complete (else says so).
cmocka_built() {
    [[ -f "$1/.complete" ]] && return 0
    echo "not built yet: $1 (from Debian's cmocka $CROSS_CMOCKA_DEBIAN_VERSION source)"
    return 1
}

probe_cmocka_mingw() {
    local prefix
    prefix="$(cross_cmocka_mingw_prefix)"
    cmocka_built "$prefix" || return 1
    write_cmocka_program cm.c
    c_ok "$mingw_cc" cm.c cm.exe -static -I"$prefix/include" -L"$prefix/lib" -lcmocka
}

probe_cmocka_macos() {
    local zig t prefix
    zig="$(cross_zig)"
    [[ -x "$zig" ]] || { echo "no zig at $zig (the zig capability)"; return 1; }
    write_cmocka_program cm.c
    for t in x86_64-macos aarch64-macos; do
        prefix="$(cross_cmocka_zig_prefix "$t")"
        cmocka_built "$prefix" || return 1
        echo "+ $zig cc -target $t cm.c -o cm-$t -I$prefix/include -L$prefix/lib -lcmocka"
        "$zig" cc -target "$t" cm.c -o "cm-$t" -I"$prefix/include" -L"$prefix/lib" -lcmocka || return 1
    done
}

probe_zig() {
    local zig t magic
    zig="$(cross_zig)"
    [[ -x "$zig" ]] || { echo "no zig at $zig (fetched from PyPI ziglang $CROSS_ZIGLANG_VERSION, or set HFTIPC_ZIG)"; return 1; }
    write_cross_program mac.c
    for t in x86_64-macos aarch64-macos; do
        echo "+ $zig cc -target $t mac.c -o mac-$t"
        "$zig" cc -target "$t" -std=c11 -Wall -Werror mac.c -o "mac-$t" || return 1
        # A 64-bit Mach-O executable starts with MH_MAGIC_64 (0xfeedfacf, little-endian).
        magic="$(od -An -tx1 -N4 "mac-$t" | tr -d ' \n')"
        [[ "$magic" == cffaedfe ]] || { echo "mac-$t is not a Mach-O 64 file (starts $magic)"; return 1; }
    done
}

# ---- Fetch steps (+NAME in a row): into the cache, under a lock, complete or not at all ----
# fetch_url URL FILE: download with python3 (always here: a base capability; curl may not be).
fetch_url() {
    echo "+ fetch $1"
    python3 - "$1" "$2" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=120) as r, open(sys.argv[2], "wb") as f:
    f.write(r.read())
PY
}
sha256_is() {
    local got
    got="$(sha256sum "$1" | cut -d' ' -f1)"
    [[ "$got" == "$2" ]] || { echo "$1: SHA-256 $got, want $2"; return 1; }
}
# with_cache_lock CMD...: CMD holding the cache's lock, so two checkouts never build one tool
# into the same directory at once (the second finds it complete).
with_cache_lock() {
    local cache
    cache="$(cross_cache)"
    mkdir -p "$cache" && (flock 9 && "$@") 9>"$cache/.lock"
}

fetch_ziglang() {
    [[ -z "${HFTIPC_ZIG:-}" ]] || { echo "HFTIPC_ZIG is set ($HFTIPC_ZIG): that zig is used, none fetched"; return 0; }
    with_cache_lock fetch_ziglang_locked
}
fetch_ziglang_locked() {
    local dir lib
    dir="$(cross_zig_dir)"
    [[ -f "$dir/.complete" ]] && return 0
    rm -rf "$dir"
    echo "+ python3 -m venv $dir/venv && pip install ziglang==$CROSS_ZIGLANG_VERSION"
    python3 -m venv "$dir/venv" &&
        "$dir/venv/bin/python" -m pip install -q --disable-pip-version-check \
            "ziglang==$CROSS_ZIGLANG_VERSION" || return 1
    lib="$("$dir/venv/bin/python" -c 'import os, ziglang; print(os.path.dirname(ziglang.__file__))')" || return 1
    # zig finds its lib/ from the real path of its executable, so a symbolic link serves.
    mkdir -p "$dir/bin" && ln -sf "$lib/zig" "$dir/bin/zig" && "$dir/bin/zig" version &&
        touch "$dir/.complete"
}

# cmocka_source: Debian's cmocka source in $tmp/cmocka-src (once per run), checked.
cmocka_source() {
    local work dsc orig sum
    work="$tmp/cmocka-src"
    [[ -d "$work/cmocka-$CROSS_CMOCKA_UPSTREAM_VERSION" ]] && return 0
    rm -rf "$work" && mkdir -p "$work" || return 1
    dsc="cmocka_$CROSS_CMOCKA_DEBIAN_VERSION.dsc"
    fetch_url "$CROSS_DEBIAN_POOL/$dsc" "$work/$dsc" &&
        sha256_is "$work/$dsc" "$CROSS_CMOCKA_DSC_SHA256" || return 1
    orig="cmocka_$CROSS_CMOCKA_UPSTREAM_VERSION.orig.tar.xz"
    # The .orig tarball's SHA-256 as the (pinned) .dsc lists it.
    sum="$(sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$work/$dsc" | awk -v f="$orig" '$3 == f { print $1 }')"
    [[ -n "$sum" ]] || { echo "$dsc lists no SHA-256 for $orig"; return 1; }
    fetch_url "$CROSS_DEBIAN_POOL/$orig" "$work/$orig" && sha256_is "$work/$orig" "$sum" &&
        tar -C "$work" -xJf "$work/$orig"
}

# cmocka_build PREFIX CMAKE-ARGS...: cross-builds cmocka with the toolchain in CMAKE-ARGS and
# installs it at PREFIX with only its static library as libcmocka.a: the test programs then
# carry cmocka in them and need no DLL or dylib next to them (with -static, as the mingw
# toolchain links, ld looks for libcmocka.a only, while cmocka names its archive
# libcmocka-static.a).
cmocka_build() {
    local prefix="$1" build
    shift
    cmocka_source || return 1
    build="$tmp/cmocka-build-${prefix##*/}"
    echo "+ cmake $* cmocka-$CROSS_CMOCKA_UPSTREAM_VERSION -> $prefix"
    rm -rf "$prefix" "$build"
    cmake -G Ninja -S "$tmp/cmocka-src/cmocka-$CROSS_CMOCKA_UPSTREAM_VERSION" -B "$build" "$@" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" -DWITH_STATIC_LIB=ON \
        -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF &&
        cmake --build "$build" && cmake --install "$build" || return 1
    rm -f "$prefix"/lib/libcmocka.dll.a "$prefix"/lib/libcmocka*.dylib "$prefix"/bin/libcmocka.dll &&
        cp "$prefix/lib/libcmocka-static.a" "$prefix/lib/libcmocka.a" && touch "$prefix/.complete"
}

fetch_cmocka_mingw() { with_cache_lock fetch_cmocka_mingw_locked; }
fetch_cmocka_mingw_locked() {
    local prefix
    prefix="$(cross_cmocka_mingw_prefix)"
    [[ -f "$prefix/.complete" ]] && return 0
    cmocka_build "$prefix" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-mingw.cmake" \
        -DCMAKE_C_COMPILER="$mingw_cc"
}

fetch_cmocka_macos() { with_cache_lock fetch_cmocka_macos_locked; }
fetch_cmocka_macos_locked() {
    local t prefix
    for t in x86_64-macos aarch64-macos; do
        prefix="$(cross_cmocka_zig_prefix "$t")"
        [[ -f "$prefix/.complete" ]] && continue
        cmocka_build "$prefix" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-zig.cmake" \
            -DHFTIPC_ZIG="$(cross_zig)" -DHFTIPC_ZIG_TARGET="$t" || return 1
    done
}

# probe NAME PROBE...: run one probe in a fresh directory, its output into $tmp/NAME.log.
probe() {
    local name="$1"
    shift
    local dir="$tmp/$name.$RANDOM"
    mkdir -p "$dir"
    # shellcheck disable=SC2086 # a probe's arguments are whitespace-separated by design
    (cd "$dir" && "$@") >"$tmp/$name.log" 2>&1 </dev/null
}

# ---- Packages for the compiler found ------------------------------------------------------
# compiler_package KIND COMPILER: the sanitizer runtime package for that compiler.
compiler_major() { "$1" -dumpversion 2>/dev/null | cut -d. -f1; }
is_clang() { "$1" --version 2>/dev/null | head -n 1 | grep -qi clang; }
clang_rt_package() {
    local major=""
    have "$1" && major="$(compiler_major "$1")"
    if [[ -z "$major" ]]; then # no clang yet: the version Debian's default clang depends on
        major="$(apt-cache show --no-all-versions clang 2>/dev/null |
            sed -n 's/^Depends:.*clang-\([0-9][0-9]*\).*/\1/p' | head -n 1)"
    fi
    if [[ -n "$major" ]]; then echo "libclang-rt-$major-dev"; else echo "libclang-rt-dev"; fi
}
resolve_packages() {
    local p out=()
    for p in $1; do
        case "$p" in
            @cc-sanitizers)
                if have "$cc" && is_clang "$cc"; then
                    out+=("$(clang_rt_package "$cc")")
                elif have "$cc" && [[ -n "$(compiler_major "$cc")" ]]; then
                    out+=("libgcc-$(compiler_major "$cc")-dev")
                else
                    out+=(gcc) # the default gcc brings its sanitizer runtimes
                fi
                ;;
            @clang-runtime) out+=("$(clang_rt_package "$clang")") ;;
            *) out+=("$p") ;; # a Debian package, or +NAME: a fetch step
        esac
    done
    echo "${out[*]}"
}

# ---- Probe, install what failed, probe again ----------------------------------------------
in_groups() { local g; for g in "${groups[@]}"; do [[ "$g" == "$1" ]] && return 0; done; return 1; }

names=() probes=() whats=() pkgsof=()
while IFS='|' read -r name group pkgs probe_cmd what; do
    in_groups "$group" || continue
    names+=("$name") probes+=("$probe_cmd") whats+=("$what") pkgsof+=("$pkgs")
done < <(rows)

# failing INDEX...: the indices (into names) among INDEX... whose probe fails.
failing() {
    local i
    for i in "$@"; do
        # shellcheck disable=SC2086 # the probe field is a function and its arguments
        probe "${names[i]}" ${probes[i]} || echo "$i"
    done
}
mapfile -t missing < <(failing "${!names[@]}")
if ((${#missing[@]} == 0)); then
    echo "install-deps: ok: ${names[*]}" >&2
    exit 0
fi

# report I PACKAGES HEADLINE: name the missing capability, what its probe printed, the packages.
report() {
    local i="$1" pkgs="$2"
    echo "install-deps: missing capability '${names[i]}': ${whats[i]}" >&2
    echo "install-deps:   $3: $pkgs" >&2
    echo "install-deps:   what the probe printed (last lines):" >&2
    tail -n 12 "$tmp/${names[i]}.log" | sed 's/^/    | /' >&2
}

declare -A wanted=()
want_list=() # Debian packages, in row order
fetch_list=() # fetch steps (+NAME), in row order
pkg_of=()
for i in "${missing[@]}"; do
    pkg_of[i]="$(resolve_packages "${pkgsof[i]}")"
    for p in ${pkg_of[i]}; do
        [[ -z "${wanted[$p]:-}" ]] || continue
        wanted[$p]=1
        if [[ "$p" == +* ]]; then fetch_list+=("${p#+}"); else want_list+=("$p"); fi
    done
done
fetch_note=""
((${#fetch_list[@]} == 0)) || fetch_note="; would then fetch or build into $(cross_cache): ${fetch_list[*]}"

if [[ "$no_install" == 1 ]]; then
    for i in "${missing[@]}"; do report "$i" "${pkg_of[i]}" "not installed (--no-install); the package that provides it"; done
    echo "install-deps: missing: $(for i in "${missing[@]}"; do printf '%s ' "${names[i]}"; done)(would install: ${want_list[*]}$fetch_note)" >&2
    exit 1
fi

# Only the packages that are not installed go to apt-get: a row whose packages are all there but
# whose fetch step has not run (cmocka-mingw in a fresh cache) needs neither root nor the network
# of apt.
apt_list=()
for p in "${want_list[@]}"; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || apt_list+=("$p")
done

sudo_cmd=()
if ((${#apt_list[@]} == 0)); then
    : # nothing for apt-get
elif [[ "$(id -u)" -ne 0 ]]; then
    if have sudo; then
        sudo_cmd=(sudo)
    else
        for i in "${missing[@]}"; do report "$i" "${pkg_of[i]}" "cannot install without root or sudo; the package"; done
        echo "install-deps: run as root: apt-get install --no-install-recommends ${apt_list[*]}" >&2
        exit 1
    fi
fi
if ((${#apt_list[@]} > 0)) && ! have apt-get; then
    for i in "${missing[@]}"; do report "$i" "${pkg_of[i]}" "no apt-get on this machine; the Debian package"; done
    exit 1
fi

apt_log="$tmp/apt.log"
# Another apt run (another checkout's test, unattended upgrades) may hold the lock for a while:
# dpkg's lock is waited for by apt itself, the lists' lock by retrying.
apt_get() {
    local attempt
    for attempt in 1 2 3 4 5 6; do
        echo "+ apt-get $*" >>"$apt_log"
        "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@" \
            >>"$apt_log" 2>&1 && return 0
        grep -q 'Could not get lock\|Unable to lock' "$apt_log" || return 1
        sleep 10
    done
    return 1
}
echo "install-deps: missing $(for i in "${missing[@]}"; do printf '%s ' "${names[i]}"; done)-> apt-get install ${apt_list[*]:-(nothing)}${fetch_note/would then/then}" >&2
if ((${#apt_list[@]} > 0)); then
    apt_ok=1
    apt_get update -q || apt_ok=0
    if ((apt_ok)); then
        apt_get install -y -q --no-install-recommends "${apt_list[@]}" || apt_ok=0
    fi
    if ((!apt_ok)); then
        echo "install-deps: apt-get failed; its last lines:" >&2
        tail -n 25 "$apt_log" | sed 's/^/    | /' >&2
    fi
fi
# The fetch steps, after apt-get has installed what they use (a failure is reported below, by
# the probe that still fails, and here with the step's own output).
for f in "${fetch_list[@]}"; do
    flog="$tmp/fetch-$f.log"
    start=$SECONDS
    if ("fetch_${f//-/_}") >"$flog" 2>&1 </dev/null; then
        echo "install-deps: fetched $f ($((SECONDS - start)) s)" >&2
    else
        echo "install-deps: fetching $f failed; its last lines:" >&2
        tail -n 25 "$flog" | sed 's/^/    | /' >&2
    fi
done

mapfile -t still < <(failing "${missing[@]}")
if ((${#still[@]} == 0)); then
    echo "install-deps: installed ${apt_list[*]:-(no package)}${fetch_list[*]:+, fetched ${fetch_list[*]}}; ok: ${names[*]}" >&2
    exit 0
fi
for i in "${still[@]}"; do report "$i" "${pkg_of[i]}" "still missing after installing the package(s) tried"; done
echo "install-deps: FAILED: still missing: $(for i in "${still[@]}"; do printf '%s ' "${names[i]}"; done)" >&2
exit 1
