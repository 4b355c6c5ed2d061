#!/usr/bin/env bash
# Container images of the demo pipeline, for the sidecar pod (deploy/kubernetes/sidecar-pod.yaml)
# and deploy/docker/compose.yaml: hftipc/gateway, hftipc/engine (with the hftipc CLI) and
# hftipc/service, tagged with the library version X.Y.Z (HFTIPC_VERSION_STRING in
# core/include/hftipc.h) and with its major version X, which the manifest names: every 1.x
# library reads and writes every 1.x channel file (README, "What you can rely on").
#
#   deploy/docker/images.sh build        build the three images (docker, or podman)
#   deploy/docker/images.sh run [N]      run the demo in them: N quotes (default 200000) through
#                                        one tmpfs volume, the three containers in one pid
#                                        namespace, read-only, no capabilities, user 10001
#   deploy/docker/images.sh manifest     print the sidecar manifest with the X.Y.Z tags (pinned),
#                                        for `kubectl apply -f -`
#   deploy/docker/images.sh lint         check the Dockerfiles, the compose file and the manifest
#                                        without a container engine (deploy/docker/lint)
#   deploy/docker/images.sh test         what scripts/test.sh runs: lint, then build and run if a
#                                        container engine works here and can pull the base
#                                        images; otherwise it says that it only linted
#
# HFTIPC_CONTAINER_ENGINE=docker|podman picks the engine (default: the first that answers).
# Base images are build arguments (DEBIAN_IMAGE, GO_IMAGE, JDK_IMAGE, JRE_IMAGE; see the
# Dockerfiles); HFTIPC_BUILD_ARGS="--build-arg DEBIAN_IMAGE=mirror/debian:bookworm-slim" passes
# them on.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="$(sed -n 's/^#define HFTIPC_VERSION_STRING "\([^"]*\)"$/\1/p' "$root/core/include/hftipc.h")"
major="${version%%.*}"
images=(gateway engine service)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

# The container engine that works here, or nothing.
engine() {
  local e
  for e in ${HFTIPC_CONTAINER_ENGINE:-docker podman}; do
    if command -v "$e" >/dev/null 2>&1 && timeout 20 "$e" info >/dev/null 2>&1; then
      echo "$e"
      return 0
    fi
  done
  return 1
}

need_engine() {
  engine || { echo "images.sh: no container engine answers here (tried: ${HFTIPC_CONTAINER_ENGINE:-docker podman})" >&2; exit 1; }
}

build() {
  local e
  e="$(need_engine)"
  for img in "${images[@]}"; do
    echo "images.sh: $e build hftipc/$img:$version (and :$major)"
    # shellcheck disable=SC2086
    "$e" build ${HFTIPC_BUILD_ARGS:-} -f "$here/$img.Dockerfile" -t "hftipc/$img:$version" \
      -t "hftipc/$img:$major" "$root"
  done
}

run() {
  local e count="${1:-200000}" id="hftipc-demo-$$"
  e="$(need_engine)"
  local common=(--read-only --cap-drop ALL --security-opt no-new-privileges --user 10001:10001
    -v "$id:/dev/shm/hftipc")
  "$e" volume create --driver local --opt type=tmpfs --opt device=tmpfs \
    --opt o=size=64m,uid=10001,gid=10001,mode=0700 "$id" >/dev/null
  # shellcheck disable=SC2064
  trap "$e rm -f $id-service $id-engine $id-gateway >/dev/null 2>&1; $e volume rm -f $id >/dev/null 2>&1" EXIT
  # The service and the engine first (each creates the channel it consumes), as scripts/demo.sh
  # does; the engine and the gateway join the service's pid namespace, like the pod's
  # shareProcessNamespace, so every peer sees the others alive or dead.
  "$e" run -d --name "$id-service" "${common[@]}" --tmpfs /tmp "hftipc/service:$version" \
    --path /dev/shm/hftipc/book --quiet >/dev/null
  "$e" run -d --name "$id-engine" --pid "container:$id-service" "${common[@]}" \
    "hftipc/engine:$version" >/dev/null
  "$e" run --name "$id-gateway" --pid "container:$id-service" "${common[@]}" \
    "hftipc/gateway:$version" -path /dev/shm/hftipc/quotes -count "$count" -rate 0
  local status
  status="$(timeout 120 "$e" wait "$id-service")" || status=timeout
  "$e" logs "$id-engine" 2>&1 | grep '^RESULT' || true
  local result
  result="$("$e" logs "$id-service" 2>&1 | grep '^RESULT service' || true)"
  echo "${result:-images.sh: the service printed no RESULT line}"
  if [[ "$status" != 0 || "$result" != *"received=$count engine_published=$count engine_received=$count gateway_count=$count"* ]]; then
    "$e" logs "$id-service" 2>&1 | tail -n 20 >&2
    echo "images.sh: the demo in containers FAILED (service exit: $status)" >&2
    return 1
  fi
  echo "images.sh: demo in containers ok: $count quotes through gateway -> engine -> service"
}

lint() {
  bash "$root/scripts/install-deps.sh" --containers
  local bin status=0
  bin="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-dockerlint.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$bin'" RETURN
  # GOPATH mode: the program uses Debian's Go sources in /usr/share/gocode, no module download.
  (cd "$here/lint" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off go build -o "$bin/lint" .)
  (cd "$here" && "$bin/lint" "$root" "${images[@]/%/.Dockerfile}") || status=1

  # The manifest names these images at this major version, the compose file at ${HFTIPC_VERSION}.
  local manifest="$root/deploy/kubernetes/sidecar-pod.yaml" compose="$here/compose.yaml" img
  for img in "${images[@]}"; do
    grep -q "^ *image: hftipc/$img:$major$" "$manifest" ||
      { echo "images.sh: $manifest does not use hftipc/$img:$major" >&2; status=1; }
    grep -q "^ *image: hftipc/$img:\${HFTIPC_VERSION:?" "$compose" ||
      { echo "images.sh: $compose does not use hftipc/$img:\${HFTIPC_VERSION}" >&2; status=1; }
    grep -q "dockerfile: deploy/docker/$img.Dockerfile}" "$compose" ||
      { echo "images.sh: $compose does not build $img from deploy/docker/$img.Dockerfile" >&2; status=1; }
  done
  if grep -n 'image:' "$manifest" | grep -v ' image: hftipc/'; then
    echo "images.sh: $manifest names other images (above)" >&2
    status=1
  fi
  if python3 -c 'import yaml' 2>/dev/null; then
    python3 -c 'import sys, yaml; [list(yaml.safe_load_all(open(f))) for f in sys.argv[1:]]' "$manifest" "$compose" ||
      { echo "images.sh: the manifest or the compose file is not valid YAML" >&2; status=1; }
    echo "images.sh: $manifest and $compose parse as YAML and name hftipc/{gateway,engine,service}"
  else
    echo "images.sh: $manifest and $compose name hftipc/{gateway,engine,service} (python3-yaml missing: YAML syntax not checked)"
  fi
  return "$status"
}

test_images() {
  lint || return 1
  local e
  if ! e="$(engine)"; then
    echo "images.sh: no container engine can run here (docker: $(command -v docker >/dev/null && echo 'client only, no daemon' || echo 'absent'); podman: $(command -v podman >/dev/null && echo 'does not answer' || echo 'absent')): the Dockerfiles were linted only, not built or run"
    return 0
  fi
  local base
  for base in debian:bookworm-slim golang:1.24-bookworm maven:3.9-eclipse-temurin-17 eclipse-temurin:17-jre; do
    if ! "$e" image inspect "$base" >/dev/null 2>&1 && ! timeout 120 "$e" pull -q "$base" >/dev/null 2>&1; then
      echo "images.sh: $e answers, but the base image $base cannot be pulled here: the Dockerfiles were linted only, not built or run"
      return 0
    fi
  done
  build || return 1
  if ! "$e" run --rm "hftipc/engine:$version" --help >/dev/null 2>&1; then
    echo "images.sh: $e built the images, but cannot run a container here: the demo was not run in them"
    return 0
  fi
  run 200000
}

manifest() {
  sed -E "s#^( *image: hftipc/(gateway|engine|service)):$major\$#\1:$version#" \
    "$root/deploy/kubernetes/sidecar-pod.yaml"
}

case "${1:-}" in
  build) build ;;
  manifest) manifest ;;
  run) run "${2:-200000}" ;;
  lint) lint ;;
  test) test_images ;;
  -h | --help) usage ;;
  *) usage >&2; exit 2 ;;
esac
