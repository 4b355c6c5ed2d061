#!/usr/bin/env bash
# Builds and tests the Java binding: SWIG + CMake (JNI library) through Maven, then JUnit 5,
# with the jar carrying the JNI library of every platform (-Pall-platforms: linux-x86_64 here,
# linux-aarch64, macos-x86_64, macos-aarch64 and windows-x86_64 cross-compiled), then checks
# that the jar lists all five and that each is its platform's object format (jar_natives_test.py),
# and loads and runs the Windows one under Wine (release-tests/jni_probe.c built with mingw-w64).
# Called by the project's top-level test script; exits non-zero on any failure.
# Overrides: HFTIPC_CROSSPROCESS_MESSAGES (default 1000000), MVN_ARGS (extra Maven arguments),
# HFTIPC_JAVA_HOST_ONLY=1 (this machine's library only, no cross compilers: a quicker local run
# that skips the five-platform check).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# SWIG, a JDK with its JNI headers, Maven: probed, and installed by apt if missing. Maven passes
# its own JDK to CMake (pom.xml), so JAVA_HOME need not be set. The cross compilers of the other
# platforms' libraries: Debian's aarch64 gcc (--release), zig (--macos), mingw-w64 (--windows).
host_only="${HFTIPC_JAVA_HOST_ONLY:-0}"
if [[ $host_only == 1 ]]; then
    bash "$here/../../scripts/install-deps.sh" --java
else
    bash "$here/../../scripts/install-deps.sh" --java --release --macos --windows
fi

for tool in mvn cmake cc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "test.sh: $tool is required" >&2
        exit 1
    fi
done

cd "$here"
args=(-B -q verify)
[[ $host_only == 1 ]] || args+=(-Pall-platforms)
if [ -n "${HFTIPC_CROSSPROCESS_MESSAGES:-}" ]; then
    args+=("-Dhftipc.crossprocess.messages=${HFTIPC_CROSSPROCESS_MESSAGES}")
fi
# shellcheck disable=SC2206
extra=(${MVN_ARGS:-})
status=0
rm -rf target/surefire-reports # so the summary below counts this run only
mvn "${args[@]}" "${extra[@]}" || status=$?
echo

# -q hides Surefire's summary: print one line per test class, then a total, from the reports.
total=0 failed=0 skipped=0
for report in target/surefire-reports/TEST-*.xml; do
    [ -e "$report" ] || continue
    line="$(grep -m1 -o '<testsuite [^>]*>' "$report")"
    attr() { printf '%s' "$line" | sed -n "s/.* $1=\"\([^\"]*\)\".*/\1/p"; }
    t="$(attr tests)" f="$(attr failures)" e="$(attr errors)" s="$(attr skipped)"
    echo "java: $(attr name): ${t} tests, ${f} failures, ${e} errors, ${s} skipped ($(attr time) s)"
    total=$((total + t)) failed=$((failed + f + e)) skipped=$((skipped + s))
done
echo "java: $((total - failed - skipped)) passed, ${failed} failed, ${skipped} skipped"

if [[ $status -eq 0 && $host_only != 1 ]]; then
    jar="$(find target -maxdepth 1 -name 'hftipc-*.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar' | sort | tail -n 1)"
    python3 "$here/jar_natives_test.py" "$jar" || status=1
    # The Windows library is also loaded and run, under Wine: release-tests/jni_probe.c, built
    # with mingw-w64, LoadLibrary()s it from the jar and calls two JNI entry points that need no
    # JVM (there is no Windows JVM here; the JUnit suite above runs the Linux library).
    if [[ $status -eq 0 ]]; then
        root="$(cd "$here/../.." && pwd)"
        probe="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-jni-probe.XXXXXX")"
        want="$(sed -n 's/^#define HFTIPC_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' "$root/core/include/hftipc.h" | tr '\n' ' ')"
        read -r vmaj vmin vpat <<<"$want"
        if python3 -c 'import sys, zipfile; open(sys.argv[3], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
            "$jar" native/windows-x86_64/hftipc_jni.dll "$probe/hftipc_jni.dll" &&
            x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -O2 -o "$probe/jni_probe.exe" \
                "$root/release-tests/jni_probe.c" &&
            bash "$root/scripts/wine-run.sh" "$probe/jni_probe.exe" hftipc_jni.dll \
                "$((vmaj * 10000 + vmin * 100 + vpat))" 2>&1 | grep -v '^wine: ' ; then
            echo "java: windows-x86_64: the jar's hftipc_jni.dll loaded and ran under Wine"
        else
            echo "java: windows-x86_64: the jar's hftipc_jni.dll did not load and run under Wine" >&2
            status=1
        fi
        rm -rf "$probe"
    fi
fi
exit "$status"
