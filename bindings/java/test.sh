#!/usr/bin/env bash
# Builds and tests the Java binding: SWIG + CMake (JNI library) through Maven, then JUnit 5,
# with the jar carrying the JNI library of every platform (-Pall-platforms: linux-x86_64 here,
# linux-aarch64, macos-x86_64, macos-aarch64 and windows-x86_64 cross-compiled), then checks
# that the jar lists all five and that each is its platform's object format (jar_natives_test.py).
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
fi
exit "$status"
