#!/usr/bin/env bash
# The three release proofs, run by release-tests/run.sh in a scratch directory (possibly with no
# network and the repository hidden). Uses only the artifacts, the toolchains (cmake, cc, go,
# JDK, mvn with its plugins from ~/.m2) and the sources copied to WORK/src.
#   proof.sh WORK SHM_DIR ARTIFACT_DIR VERSION
set -euo pipefail
work="$1" shm="$2" art="$3" version="$4"
src="$work/src"
messages=5000
log() { printf '\n-- release proof: %s\n' "$*"; }
fail() { echo "release proof FAILED: $*" >&2; exit 1; }

# Waits until PATH is a ready channel file (its creator may still be writing the header).
wait_ready() {
  local i
  for ((i = 0; i < 200; i++)); do
    "$cli" check "$1" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  fail "$1 did not become a ready channel in 10 s"
}
expected() { seq -f 'release message %.0f' 1 "$messages"; }

log "checksums (SHA256SUMS)"
(cd "$art" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match the artifacts"
echo "all $(wc -l <"$art/SHA256SUMS") files match SHA256SUMS"

# ---- 1. Source tarball: CMake alone ---------------------------------------------------------
log "source tarball: build and install with CMake alone"
tar -xzf "$art/hftipc-$version.tar.gz" -C "$work"
tree="$work/hftipc-$version"
[[ ! -e "$tree/.git" ]] || fail "the tarball contains .git"
cmake -S "$tree" -B "$work/tarball-build" -DCMAKE_BUILD_TYPE=Release \
  -DHFTIPC_BUILD_TESTS=OFF -DHFTIPC_BUILD_BENCH=OFF --log-level=WARNING >/dev/null
cmake --build "$work/tarball-build" --parallel 2 >/dev/null
cmake --install "$work/tarball-build" --prefix "$work/prefix" >/dev/null
prefix="$work/prefix"
cli="$prefix/bin/hftipc"
libdir="$(dirname "$(find "$prefix" -name libhftipc.so | head -n1)")"
export LD_LIBRARY_PATH="$libdir"
[[ -x "$cli" ]] || fail "the install has no bin/hftipc"
"$cli" --version | grep -q "$version" || fail "bin/hftipc --version does not say $version"
echo "installed to $prefix: $(cd "$prefix" && find . -type f | sort | tr '\n' ' ')"

[[ "$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --modversion hftipc)" == "$version" ]] ||
  fail "pkg-config --modversion is not $version"

# The C tests' own installed-library check, on the tarball's build: install, move the prefix,
# build and run consumers with find_package (C, C++, static) and with pkg-config (C, C++).
log "C consumers: find_package(hftipc) and pkg-config (core/tests/consumer/check_installed.sh)"
bash "$src/c/check_installed.sh" "$work/tarball-build"

# ---- 2. Go module from the GOPROXY directory --------------------------------------------------
log "Go: go get from GOPROXY=file://$art/go"
export GOPATH="$work/gopath" GOMODCACHE="$work/gopath/pkg/mod"
export GOPROXY="file://$art/go" # no ",direct": nothing else may be asked
# The private proxy's module is not in the public checksum database: skip the database for it
# (https://go.dev/ref/mod#private-modules); go.sum still records and checks its hash.
export GONOSUMDB="github.com/hftipc/hftipc" GOFLAGS="-mod=mod"
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=1 GO111MODULE=on
mkdir -p "$work/go-user"
cp "$src/go/main.go" "$work/go-user/"
cd "$work/go-user"
go mod init example.com/releaseproof 2>/dev/null
go get "github.com/hftipc/hftipc/bindings/go@v$version" 2>&1 | tee "$work/go-get.log"
grep -q "^go: added github.com/hftipc/hftipc/bindings/go v$version$" "$work/go-get.log" ||
  fail "go get did not add the module"
grep "^github.com/hftipc/hftipc/bindings/go v$version h1:" go.sum || fail "go.sum has no h1: hash"
go mod verify
latest="$(go list -m -f '{{.Version}}' github.com/hftipc/hftipc/bindings/go@latest)"
[[ "$latest" == "v$version" ]] || fail "@latest resolves to '$latest', not v$version"
echo "github.com/hftipc/hftipc/bindings/go@latest resolves to $latest"
moddir="$(go list -m -f '{{.Dir}}' github.com/hftipc/hftipc/bindings/go)"
case "$moddir" in "$GOMODCACHE"/*) ;; *) fail "the module came from $moddir, not the module cache" ;; esac
echo "module files: $(cd "$moddir" && ls | tr '\n' ' ')"
if ls "$moddir" | grep -q '_test\.go$'; then fail "the module zip carries test files"; fi
go build -o "$work/peer" .
echo "built $(go version -m "$work/peer" | grep -E 'dep|mod' | tr -s '\t ' ' ')"

log "Go producer -> C CLI (hftipc recv), $messages messages"
"$work/peer" produce "$shm/go-to-cli" "$messages" >"$work/peer.out" &
producer=$!
wait_ready "$shm/go-to-cli"
"$cli" recv "$shm/go-to-cli" --count "$messages" --timeout 60 >"$work/recv.out"
wait "$producer" || fail "the Go producer failed"
cat "$work/peer.out"
grep -qx "peer: sent $messages messages (library $version)" "$work/peer.out" ||
  fail "the Go module's C core is not version $version"
diff -q <(expected) "$work/recv.out" >/dev/null || fail "hftipc recv did not get the Go producer's messages"
echo "hftipc recv: $(wc -l <"$work/recv.out") messages, identical to those sent"

log "C CLI (hftipc send) -> Go consumer, $messages messages"
"$work/peer" consume "$shm/cli-to-go" "$messages" &
consumer=$!
wait_ready "$shm/cli-to-go"
expected | "$cli" send "$shm/cli-to-go" --timeout 60
wait "$consumer" || fail "the Go consumer failed"

# ---- 3. Maven artifact from the release repository -------------------------------------------
log "Maven: resolve io.hftipc:hftipc:$version from file://$art/maven only"
m2="$work/m2-local" # empty: everything in it below comes from the two file:// repositories
mkdir -p "$m2" "$work/java-user/src"
cp -r "$src/java/src/main" "$work/java-user/src/"
sed "s/@VERSION@/$version/g" "$src/java/pom.xml" >"$work/java-user/pom.xml"
sed -e "s|@LOCAL_REPO@|$m2|" -e "s|@RELEASE_REPO@|$art/maven|" \
  -e "s|@PLUGIN_REPO@|$HFTIPC_PROOF_PLUGIN_REPO|" "$src/java/settings.xml" >"$work/settings.xml"
cd "$work/java-user"
mvn -B -Dstyle.color=never -s "$work/settings.xml" compile >"$work/mvn.log" 2>&1 || { cat "$work/mvn.log"; fail "mvn compile"; }
grep -E "Download(ing|ed) from hftipc-release: .*io/hftipc/" "$work/mvn.log" | sed 's/^\[INFO\] //'
# Every file Maven fetched came from one of the two file:// repositories, and only the release's
# own artifacts from hftipc-release.
others="$(grep -E 'Downloaded from ' "$work/mvn.log" | grep -Ev 'Downloaded from (hftipc-release|build-plugins): file://' || true)"
[[ -z "$others" ]] || fail "Maven downloaded from elsewhere: $others"
from_release="$(grep -c 'Downloaded from hftipc-release: ' "$work/mvn.log" || true)"
from_plugins="$(grep -c 'Downloaded from build-plugins: ' "$work/mvn.log" || true)"
if grep 'Downloaded from hftipc-release: ' "$work/mvn.log" | grep -v '/io/hftipc/hftipc/' | grep -q .; then
  fail "hftipc-release served something other than io.hftipc:hftipc"
fi
echo "maven: $from_release files from hftipc-release (io.hftipc:hftipc only), $from_plugins plugin files from build-plugins (~/.m2/repository), nothing else"
a="$m2/io/hftipc/hftipc/$version"
for f in "hftipc-$version.jar" "hftipc-$version-sources.jar" "hftipc-$version-javadoc.jar"; do
  [[ -f "$a/$f" ]] || fail "$f was not resolved"
  cmp -s "$a/$f" "$art/maven/io/hftipc/hftipc/$version/$f" || fail "$f differs from the release's"
  grep -q "^$f>hftipc-release=" "$a/_remote.repositories" || fail "$f did not come from hftipc-release"
done
echo "resolved jar, sources and javadoc from hftipc-release (byte-identical)"

log "Go producer -> Java consumer (mvn exec:exec), $messages messages"
"$work/peer" produce "$shm/go-to-java" "$messages" &
producer=$!
wait_ready "$shm/go-to-java"
MAVEN_OPTS="" mvn -B -q -Dstyle.color=never -s "$work/settings.xml" exec:exec -Dchannel.path="$shm/go-to-java" \
  -Dchannel.count="$messages" -Dnative.dir="$work/native" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >"$work/java.out" ||
  { cat "$work/java.out"; fail "the Java consumer failed"; }
wait "$producer" || fail "the Go producer failed"
cat "$work/java.out"
grep -q "^java consumer: received $messages messages from the Go producer (library $version)$" \
  "$work/java.out" || fail "the Java consumer's summary is missing"
extracted="$(cd "$work/native" && ls)"
[[ "$extracted" =~ ^libhftipc_jni-$version-[0-9a-f]{16}\.so$ ]] ||
  fail "the jar's library was not extracted to -Dhftipc.native.dir under a versioned name: $extracted"
echo "native library extracted to -Dhftipc.native.dir as $extracted"

log "Maven: the sources and javadoc jars"
jar="$a/hftipc-$version.jar"
manifest="$(unzip -p "$jar" META-INF/MANIFEST.MF | tr -d '\r')"
grep -qx 'Automatic-Module-Name: io.hftipc' <<<"$manifest" || fail "no Automatic-Module-Name in the manifest"
grep -qx "Implementation-Version: $version" <<<"$manifest" || fail "no Implementation-Version in the manifest"
entries="$(unzip -Z1 "$jar")"
grep -qx 'native/linux-x86_64/libhftipc_jni.so' <<<"$entries" || fail "no native/linux-x86_64 library"
echo "jar: Automatic-Module-Name io.hftipc; native libraries: $(grep -E '^native/.*\.(so|dylib|dll)$' <<<"$entries" | tr '\n' ' ')"
# Both Linux architectures; the other one's library runs under qemu-user (the JVM above loaded
# this machine's).
IFS=. read -r vmaj vmin vpat <<<"$version"
mkdir -p "$work/natives"
for platform in linux-x86_64 linux-aarch64; do
  grep -qx "native/$platform/libhftipc_jni.so" <<<"$entries" || fail "no native/$platform library in the jar"
  arch="${platform#linux-}"
  [[ "$arch" != "$(uname -m)" ]] || continue
  unzip -q -o "$jar" "native/$platform/libhftipc_jni.so" -d "$work/natives"
  lib="$work/natives/native/$platform/libhftipc_jni.so"
  machine="$(LC_ALL=C readelf -h "$lib" | sed -n 's/^ *Machine: *//p')"
  case "$arch" in aarch64) want_machine="AArch64" ;; x86_64) want_machine="Advanced Micro Devices X86-64" ;; esac
  [[ "$machine" == "$want_machine" ]] || fail "native/$platform is built for '$machine'"
  "$arch-linux-gnu-gcc" -std=c11 -Wall -Wextra -Werror -O2 -o "$work/jni_probe-$arch" "$src/jni_probe.c" -ldl
  "qemu-$arch" -L "/usr/$arch-linux-gnu" "$work/jni_probe-$arch" "$lib" \
    "$((vmaj * 10000 + vmin * 100 + vpat))" || fail "native/$platform does not run under qemu-$arch"
  echo "native/$platform: $machine, needs $(LC_ALL=C readelf -d "$lib" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')(ran under qemu-$arch)"
done
mkdir -p "$work/sources" "$work/sources-classes" "$work/javadoc"
(cd "$work/sources" && unzip -q "$a/hftipc-$version-sources.jar")
find "$work/sources" -name '*.java' >"$work/sources.list"
javac -nowarn -d "$work/sources-classes" @"$work/sources.list" 2>&1 | grep -v '^Note:' || true
diff <(cd "$work/sources-classes" && find . -name '*.class' -printf '%P\n' | sort) \
  <(grep '\.class$' <<<"$entries" | sort) >/dev/null ||
  fail "the sources jar does not compile to the jar's classes"
echo "sources jar: $(wc -l <"$work/sources.list") files compile to exactly the jar's $(grep -c '\.class$' <<<"$entries") classes"
(cd "$work/javadoc" && unzip -q "$a/hftipc-$version-javadoc.jar")
for page in index.html io/hftipc/package-summary.html io/hftipc/Channel.html io/hftipc/ChannelConfig.html; do
  [[ -s "$work/javadoc/$page" ]] || fail "the javadoc jar has no $page"
done
grep -q 'AutoCloseable' "$work/javadoc/io/hftipc/Channel.html" || fail "Channel.html is not the Channel API"
if find "$work/javadoc" -name 'hftipcJNI.html' -o -name 'SWIGTYPE*' | grep -q .; then
  fail "the javadoc shows SWIG internals"
fi
echo "javadoc jar: $(find "$work/javadoc" -name '*.html' | wc -l) pages, public API only"

log "all release proofs passed"
