#!/usr/bin/env bash
# Cross-builds the JNI library for the jar's other platforms (pom.xml runs it in
# generate-resources, after the generate-sources step built this machine's library with SWIG):
#
#   cross-natives.sh --wrapper WRAP.c --jdk HOME --build DIR --out DIR [PLATFORM...]
#
#   --wrapper  the C wrapper SWIG generated for this machine's build (swig-c/hftipcJAVA_wrap.c):
#              compiled as it is for every platform, so SWIG runs once and all the libraries
#              match the one set of generated Java classes
#   --jdk      the JDK whose include/jni.h is used (Maven's own, ${java.home})
#   --build    the CMake build directories, one per platform
#   --out      where the libraries go: OUT/native/<platform>/<library>, the jar's layout
#   PLATFORM   linux-x86_64, linux-aarch64, macos-x86_64, macos-aarch64, windows-x86_64;
#              default all but this machine's (which Maven built already)
#
# Each platform is bindings/java/CMakeLists.txt configured with a toolchain file:
#   linux-aarch64 / linux-x86_64   cmake/toolchain-linux-cross.cmake, Debian's cross gcc
#                                  (scripts/install-deps.sh --release)
#   macos-x86_64 / macos-aarch64   cmake/toolchain-zig.cmake, zig cc (install-deps.sh --macos)
#   windows-x86_64                 cmake/toolchain-mingw.cmake, mingw-w64 (install-deps.sh
#                                  --windows), with the Windows jni_md.h of jni-md/windows/
# Quiet when it works but for one line per library; a failing build prints its output.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
java_dir="$(cd "$here/../../.." && pwd)"
root="$(cd "$java_dir/../.." && pwd)"
# shellcheck source=../../../../../scripts/lib/cross-tools.sh
source "$root/scripts/lib/cross-tools.sh"

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
wrapper="" jdk="" build="" out="" platforms=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --wrapper) wrapper="$2"; shift 2 ;;
        --jdk) jdk="$2"; shift 2 ;;
        --build) build="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        -*) echo "cross-natives.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
        *) platforms+=("$1"); shift ;;
    esac
done
for v in wrapper jdk build out; do
    [[ -n ${!v} ]] || { echo "cross-natives.sh: --$v is required (try --help)" >&2; exit 2; }
done
[[ -f $wrapper ]] || { echo "cross-natives.sh: no SWIG wrapper at $wrapper (the host build writes it)" >&2; exit 1; }
[[ -f $jdk/include/jni.h ]] || { echo "cross-natives.sh: no include/jni.h in the JDK $jdk" >&2; exit 1; }

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) host=linux-x86_64 ;;
    Linux-aarch64) host=linux-aarch64 ;;
    Darwin-x86_64) host=macos-x86_64 ;;
    Darwin-arm64) host=macos-aarch64 ;;
    *) host="" ;;
esac
all=(linux-x86_64 linux-aarch64 macos-x86_64 macos-aarch64 windows-x86_64)
if [[ ${#platforms[@]} -eq 0 ]]; then
    for p in "${all[@]}"; do [[ $p == "$host" ]] || platforms+=("$p"); done
fi

# jni_md.h of the Unix JDKs: Linux and macOS agree on it (LP64 types, visibility("default")).
unix_md="$jdk/include/linux"
[[ -f $unix_md/jni_md.h ]] || unix_md="$jdk/include/darwin"

# toolchain_args PLATFORM: the CMake arguments that select PLATFORM's compiler and JNI headers.
toolchain_args() {
    local zig
    case "$1" in
        linux-x86_64 | linux-aarch64)
            local triple="${1#linux-}-linux-gnu"
            command -v "$triple-gcc" >/dev/null 2>&1 || {
                echo "cross-natives.sh: $triple-gcc is missing, needed for $1 (scripts/install-deps.sh --release)" >&2
                return 1
            }
            printf '%s\n' "-DCMAKE_TOOLCHAIN_FILE=$root/cmake/toolchain-linux-cross.cmake" \
                "-DHFTIPC_CROSS_TRIPLE=$triple" "-DHFTIPC_JNI_INCLUDE=$jdk/include;$unix_md"
            ;;
        macos-x86_64 | macos-aarch64)
            zig="$(cross_zig)"
            [[ -x $zig ]] || {
                echo "cross-natives.sh: no zig at $zig, needed for $1 (scripts/install-deps.sh --macos, or HFTIPC_ZIG)" >&2
                return 1
            }
            printf '%s\n' "-DCMAKE_TOOLCHAIN_FILE=$root/cmake/toolchain-zig.cmake" "-DHFTIPC_ZIG=$zig" \
                "-DHFTIPC_ZIG_TARGET=${1#macos-}-macos" "-DHFTIPC_JNI_INCLUDE=$jdk/include;$unix_md"
            ;;
        windows-x86_64)
            command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || {
                echo "cross-natives.sh: x86_64-w64-mingw32-gcc is missing, needed for $1 (scripts/install-deps.sh --windows)" >&2
                return 1
            }
            printf '%s\n' "-DCMAKE_TOOLCHAIN_FILE=$root/cmake/toolchain-mingw.cmake" \
                "-DHFTIPC_JNI_INCLUDE=$jdk/include;$here/jni-md/windows"
            ;;
        *)
            echo "cross-natives.sh: unknown platform '$1' (one of: ${all[*]})" >&2
            return 1
            ;;
    esac
}

for p in "${platforms[@]}"; do
    mapfile -t args < <(toolchain_args "$p") && [[ ${#args[@]} -gt 0 ]] || exit 1
    dir="$build/$p"
    log="$build/$p.log"
    mkdir -p "$dir" "$out/native/$p"
    if ! { cmake -S "$java_dir" -B "$dir" -G Ninja --log-level=WARNING -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_COLOR_DIAGNOSTICS=OFF "${args[@]}" -DHFTIPC_JNI_WRAPPER="$wrapper" \
        -DHFTIPC_JAVA_OUT="$dir/unused-java" -DHFTIPC_NATIVE_OUT="$out/native/$p" &&
        cmake --build "$dir" --parallel 2; } >"$log" 2>&1; then
        cat "$log" >&2
        echo "cross-natives.sh: building the JNI library for $p failed (output above, also in $log)" >&2
        exit 1
    fi
    echo "cross-natives.sh: $p: $(cd "$out/native/$p" && ls)"
done
