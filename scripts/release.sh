#!/usr/bin/env bash
# Builds every release artifact of hftipc into one directory (docs/RELEASING.md):
#
#   OUT/hftipc-X.Y.Z.tar.gz        source release: builds and installs with CMake alone
#   OUT/go/                        a GOPROXY root: github.com/hftipc/hftipc/bindings/go/@v/
#                                  {list, vX.Y.Z.info, vX.Y.Z.mod, vX.Y.Z.zip}
#   OUT/maven/                     a Maven repository: io/hftipc/hftipc/X.Y.Z/hftipc-X.Y.Z
#                                  {.jar, -sources.jar, -javadoc.jar, .pom} with .md5/.sha1, and
#                                  maven-metadata.xml
#   OUT/SHA256SUMS                 sha256sum of every file above (`sha256sum -c SHA256SUMS`)
#
# The version is the one in core/include/hftipc.h (HFTIPC_VERSION_STRING); the CMake project
# reads it from there, the Go tag is bindings/go/vX.Y.Z, the Maven version is set from it in the
# staged copy (the committed pom should match: a note says when it does not).
# Everything is built from `git archive` of the commit (tracked files only), never from the
# working tree, so stale build output cannot leak in.
#
#   scripts/release.sh [--out DIR] [--snapshot] [--tag] [--host-only]
#     --out DIR    output directory (default: build-release-artifacts/); emptied first
#     --snapshot   allow uncommitted changes to tracked files (they are included, via
#                  `git stash create`; a new file must be `git add`ed first); for tests, never
#                  for a published release
#     --tag        create the annotated tags vX.Y.Z and bindings/go/vX.Y.Z on HEAD (local only)
#     --host-only  the jar carries this machine's JNI library only (default: all five platforms,
#                  linux-x86_64, linux-aarch64, macos-x86_64, macos-aarch64 and windows-x86_64,
#                  the others cross-compiled; needs scripts/install-deps.sh --release --macos --windows)
# Needs git, python3, cmake, a C compiler, swig, a JDK, mvn (Maven fetches its plugins) and the
# cross compilers of the other platforms (scripts/install-deps.sh --release --macos --windows).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

out="$root/build-release-artifacts"
snapshot=0
tag=0
host_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out)
      [[ $# -ge 2 ]] || { echo "release.sh: --out needs a directory" >&2; exit 2; }
      out="$2"
      shift 2
      ;;
    --snapshot) snapshot=1; shift ;;
    --tag) tag=1; shift ;;
    --host-only) host_only=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "release.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"

version="$(sed -n 's/^#define HFTIPC_VERSION_STRING "\([^"]*\)"$/\1/p' core/include/hftipc.h)"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  { echo "release.sh: no X.Y.Z HFTIPC_VERSION_STRING in core/include/hftipc.h" >&2; exit 1; }
# The Maven version follows the header too: the staged copy's pom gets it (below). The committed
# pom should say the same (VersionTest fails until it does); say so if it does not.
pom_version() { # the first <version> after <artifactId>hftipc</artifactId> is the project's own
  sed -n '/<artifactId>hftipc<\/artifactId>/{n;:a;/<version>/{s/.*<version>\(.*\)<\/version>.*/\1/p;q};n;ba}' "$1"
}
committed_pom_version="$(pom_version bindings/java/pom.xml)"
if [[ "$committed_pom_version" != "$version" ]]; then
  echo "release.sh: note: bindings/java/pom.xml says $committed_pom_version; the release uses the" \
    "header's $version (bump the pom too: VersionTest fails until then; docs/RELEASING.md)" >&2
fi
go_tag="bindings/go/v$version"

if [[ -n "$(git status --porcelain --untracked-files=no)" ]]; then
  if [[ $snapshot -eq 0 ]]; then
    echo "release.sh: the tree has uncommitted changes; commit them (or --snapshot for a test build)" >&2
    exit 1
  fi
  ref="$(git stash create "release snapshot")"
else
  ref="HEAD"
fi
commit="$(git rev-parse "$ref^{commit}")"
# The Go proxy's .info time: the commit's, in UTC as Go prints it.
commit_time="$(TZ=UTC0 git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd "$commit")"

if [[ $tag -eq 1 ]]; then
  [[ $snapshot -eq 0 ]] || { echo "release.sh: --tag and --snapshot exclude each other" >&2; exit 2; }
  git tag -a "v$version" -m "hftipc $version" "$commit"
  git tag -a "$go_tag" -m "hftipc Go module $version" "$commit"
fi

stage="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-release.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
find "$out" -mindepth 1 -delete
src="$stage/hftipc-$version"
mkdir -p "$src"
git archive --format=tar "$commit" | tar -x -C "$src"
echo "release.sh: hftipc $version from ${commit:0:12} into $out"
# The project's own <version> (the line after <artifactId>hftipc</artifactId>, see pom_version).
sed -i "/<artifactId>hftipc<\/artifactId>/{n;:a;/<version>/{s|<version>.*</version>|<version>$version</version>|;b};n;ba}" \
  "$src/bindings/java/pom.xml"
[[ "$(pom_version "$src/bindings/java/pom.xml")" == "$version" ]] ||
  { echo "release.sh: could not set the Maven version to $version" >&2; exit 1; }

# 1. Source tarball. gzip -n and git archive's fixed mtimes (the commit time) keep it reproducible.
git archive --format=tar --prefix="hftipc-$version/" "$commit" | gzip -n -9 >"$out/hftipc-$version.tar.gz"
echo "release.sh: hftipc-$version.tar.gz"

# 2. Go module, as a proxy serves it. Its C sources are the amalgamation of core/: refuse a stale one.
(cd "$src" && python3 scripts/amalgamate.py --check) ||
  { echo "release.sh: bindings/go's amalgamation is not up to date: python3 scripts/amalgamate.py" >&2; exit 1; }
python3 "$src/scripts/gomodule.py" "$src/bindings/go" "$out/go" "v$version" "$commit_time" "$src/LICENSE"

# 3. Maven repository: build the jar (native library included) with its sources and Javadoc,
#    and let maven-deploy-plugin write the layout, checksums and metadata to a file:// URL.
#    Tests are not run here: scripts/test.sh runs them on the same sources.
if [[ -z "${JAVA_HOME:-}" ]] && command -v javac >/dev/null 2>&1; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
  export JAVA_HOME
fi
# The jar carries the JNI library of every platform (-Pall-platforms, bindings/java/pom.xml):
# Maven builds this machine's, and cross-compiles the others from the same SWIG wrapper
# (bindings/java/src/main/cmake/cross-natives.sh: Debian's cross gcc for the other Linux
# architecture, zig cc for macOS, mingw-w64 for Windows).
# Reproducible: the C objects carry no path of the temporary build directory.
export CFLAGS="${CFLAGS:-} -ffile-prefix-map=$stage=/hftipc-release"
profiles=release
if [[ $host_only -eq 0 ]]; then
  profiles=release,all-platforms
  echo "release.sh: the jar carries the JNI libraries of linux-x86_64, linux-aarch64, macos-x86_64, macos-aarch64, windows-x86_64"
fi
# Reproducible: the jar entries carry the commit time.
(cd "$src/bindings/java" &&
  mvn -B -q -P"$profiles" -Dproject.build.outputTimestamp="$commit_time" -DskipTests -Dmaven.install.skip=true \
    -DaltDeploymentRepository="hftipc-release::file://$out/maven" deploy)
# maven-metadata.xml says when it was written: use the commit time, so that the same commit
# gives the same bytes everywhere (a repository manager rewrites this file on upload anyway).
meta="$out/maven/io/hftipc/hftipc/maven-metadata.xml"
stamp="$(TZ=UTC0 git log -1 --date=format-local:%Y%m%d%H%M%S --format=%cd "$commit")"
sed -i "s|<lastUpdated>[0-9]*</lastUpdated>|<lastUpdated>$stamp</lastUpdated>|" "$meta"
md5sum <"$meta" | cut -d' ' -f1 | tr -d '\n' >"$meta.md5"
sha1sum <"$meta" | cut -d' ' -f1 | tr -d '\n' >"$meta.sha1"
jar_dir="$out/maven/io/hftipc/hftipc/$version"
for f in "hftipc-$version.jar" "hftipc-$version-sources.jar" "hftipc-$version-javadoc.jar" \
  "hftipc-$version.pom"; do
  for sum in "" .md5 .sha1; do
    [[ -f "$jar_dir/$f$sum" ]] || { echo "release.sh: maven deploy wrote no $f$sum" >&2; exit 1; }
  done
done
echo "release.sh: maven/io/hftipc/hftipc/$version"

# 4. Checksums of everything.
(cd "$out" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs sha256sum >SHA256SUMS)
echo "release.sh: SHA256SUMS ($(wc -l <"$out/SHA256SUMS") files)"

if [[ $tag -eq 0 ]]; then
  echo "release.sh: tags to create on ${commit:0:12} when publishing: v$version and $go_tag"
fi
