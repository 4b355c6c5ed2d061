#!/usr/bin/env bash
# Proves that the release artifacts are consumable by a user who has only them
# (docs/RELEASING.md, "What the test proves"):
#   1. the source tarball builds and installs with CMake alone; a C program finds the installed
#      library with find_package and with pkg-config;
#   2. a new Go module runs `go get github.com/hftipc/hftipc/bindings/go@vX.Y.Z` against the
#      release's GOPROXY directory, builds a cgo peer, and exchanges messages with the C CLI
#      (`hftipc send` / `hftipc recv`, from the tarball's install) both ways;
#   3. a new Maven project resolves io.hftipc:hftipc:X.Y.Z (jar, sources, javadoc) from the
#      release's Maven directory as its only repository, runs a consumer against the Go peer,
#      and the sources and javadoc jars are checked (the sources compile to the jar's classes);
#      the jar carries the JNI libraries of all five platforms, each of its platform's object
#      format (bindings/java/jar_natives_test.py), and the one for the other Linux architecture
#      (linux-aarch64 on x86-64) is run under qemu-user.
#
#   release-tests/run.sh [ARTIFACT_DIR]
# Without ARTIFACT_DIR, scripts/release.sh --snapshot builds the artifacts first.
#
# Isolation: the proofs run in a scratch directory outside the tree. As root (where unshare
# works) they run in a new network namespace (no interface but a down loopback: no network at
# all) and a new mount namespace in which the repository is hidden under an empty tmpfs; the
# output says which isolation applied. Go uses a fresh GOPATH and module cache (the build cache
# is the user's: it holds compiled objects only and cannot supply a module), Maven a fresh local
# repository and only file:// repositories (release-tests/java/settings.xml).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

work="$(mktemp -d /tmp/hftipc-release-proof.XXXXXX)"
shm="$(mktemp -d /dev/shm/hftipc-release-proof.XXXXXX)"
# The Go module cache is read-only by design: make it writable so that it can be removed.
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work" "$shm"' EXIT
case "$work/" in "$root"/*) echo "release-tests: scratch directory inside the tree" >&2; exit 1 ;; esac

# The cross compilers and qemu-user: the jar's libraries for the other platforms are built, and the
# other Linux architecture's is run.
bash "$root/scripts/install-deps.sh" --release --macos --windows

version="$(sed -n 's/^#define HFTIPC_VERSION_STRING "\([^"]*\)"$/\1/p' "$root/core/include/hftipc.h")"
if [[ $# -ge 1 ]]; then
  artifacts="$(cd "$1" && pwd)"
else
  artifacts="$work/artifacts"
  bash "$root/scripts/release.sh" --snapshot --out "$artifacts"
fi
case "$artifacts/" in
  "$root"/*) # the tree is hidden during the proof: take a copy
    cp -r "$artifacts" "$work/artifacts-copy"
    artifacts="$work/artifacts-copy"
    ;;
esac
[[ -f "$artifacts/hftipc-$version.tar.gz" ]] ||
  { echo "release-tests: no hftipc-$version.tar.gz in $artifacts" >&2; exit 1; }

# The release jar carries all five platforms' libraries, each its platform's object format (read
# here, in the tree; the proof below loads this machine's and runs the other Linux one's).
python3 "$root/bindings/java/jar_natives_test.py" "$artifacts/maven/io/hftipc/hftipc/$version/hftipc-$version.jar"

# The user's sources: the proof's own programs, and the installed-library consumer the C tests use.
mkdir -p "$work/src"
cp -r "$here/go" "$here/java" "$here/proof.sh" "$here/jni_probe.c" "$work/src/"
cp -r "$root/core/tests/consumer" "$work/src/c"

if [[ -z "${JAVA_HOME:-}" ]] && command -v javac >/dev/null 2>&1; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
  export JAVA_HOME
fi
# Maven plugins for the proof come from here (the user's local repository, read as file://).
export HFTIPC_PROOF_PLUGIN_REPO="${HFTIPC_PROOF_PLUGIN_REPO:-$HOME/.m2/repository}"

if [[ "$(id -u)" -eq 0 ]] && unshare --net --mount true 2>/dev/null; then
  echo "release-tests: isolation: no network (new network namespace), repository $root hidden (new mount namespace)"
  # shellcheck disable=SC2016
  unshare --net --mount -- bash -c 'mount -t tmpfs -o size=1m,mode=0700 hftipc-hidden "$1" && shift && exec "$@"' \
    _ "$root" bash "$work/src/proof.sh" "$work" "$shm" "$artifacts" "$version"
else
  echo "release-tests: isolation: scratch directory only (unshare needs root: network and repository not hidden)"
  bash "$work/src/proof.sh" "$work" "$shm" "$artifacts" "$version"
fi
