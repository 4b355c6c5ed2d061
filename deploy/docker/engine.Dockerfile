# The demo's C engine (demo/engine) and the hftipc CLI, for the sidecar pod
# (deploy/kubernetes/sidecar-pod.yaml) and deploy/docker/compose.yaml.
# Build from the repository root:   deploy/docker/images.sh build   (docs/KUBERNETES.md, "Images")
#
# Stage 1 compiles with CMake; stage 2 is a slim Debian with the two binaries only (they link
# the core statically and need nothing but glibc).
ARG DEBIAN_IMAGE=debian:bookworm-slim

FROM ${DEBIAN_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends cmake gcc libc6-dev make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The root project (the demo's engine is part of it, demo/CMakeLists.txt), without tests and
# benchmarks: the core, the CLI (tools/cli/) and the engine.
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY core/ core/
COPY tools/ tools/
COPY examples/ examples/
COPY demo/CMakeLists.txt demo/
COPY demo/engine/ demo/engine/
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DHFTIPC_BUILD_TESTS=OFF \
          -DHFTIPC_BUILD_BENCH=OFF \
    && cmake --build /build --parallel --target hftipc_engine hftipc_cli \
    && cp /build/demo/hftipc_engine /build/tools/hftipc /build/ \
    && strip /build/hftipc_engine /build/hftipc

FROM ${DEBIAN_IMAGE}
COPY --from=build /build/hftipc_engine /build/hftipc /usr/local/bin/
# The same numeric user in every container of the pod: channel files are created 0600.
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/hftipc_engine"]
CMD ["--in", "/dev/shm/hftipc/quotes", "--out", "/dev/shm/hftipc/book"]
