#!/usr/bin/env bash
# Installs the Debian packages hftipc needs, only those that are missing. Idempotent.
#   scripts/install-deps.sh [--java] [--fuzz] [--bench] [--release] [--containers]
#   --bench adds python3-matplotlib, which scripts/bench-all.sh uses (via /usr/bin/python3) to draw
#   the charts in bench/results/.
#   --release adds the aarch64 cross compiler (the release jar's linux-aarch64 JNI library,
#   scripts/release.sh) and qemu-user (release-tests run that library).
#   --containers adds golang-github-openshift-imagebuilder-dev, the Dockerfile parser that
#   deploy/docker/images.sh lint builds against (no container engine needed).
# Go, Java and Maven come with the development image; their own dependencies are fetched by
# `go` and `mvn` in the binding scripts.
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

have_cmd cmake || need+=(cmake)
have_cmd ninja || need+=(ninja-build)
have_cmd cc || need+=(gcc)
have_cmd pkg-config || need+=(pkg-config)
have_pkg libcmocka-dev || need+=(libcmocka-dev)
have_cmd clang-format || need+=(clang-format)
have_cmd abidiff || need+=(abigail-tools)
for arg in "$@"; do
  case "$arg" in
    --java) have_cmd swig || need+=(swig) ;;
    --fuzz) have_cmd clang || need+=(clang) ;;
    --release) have_cmd aarch64-linux-gnu-gcc || need+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
      have_cmd qemu-aarch64 || need+=(qemu-user) ;;
    --containers) have_pkg golang-github-openshift-imagebuilder-dev || need+=(golang-github-openshift-imagebuilder-dev) ;;
    --bench) /usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1 || need+=(python3-matplotlib) ;;
    *) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${need[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
  have_cmd sudo || { echo "install-deps: need root (or sudo) to install: ${need[*]}" >&2; exit 1; }
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
