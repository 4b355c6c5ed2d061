# The demo's Go gateway (bindings/go/examples/gateway), for the sidecar pod
# (deploy/kubernetes/sidecar-pod.yaml) and deploy/docker/compose.yaml.
# Build from the repository root:   deploy/docker/images.sh build   (docs/KUBERNETES.md, "Images")
#
# Stage 1 builds with cgo (the C core is compiled in from the package's amalgamation; the module
# has no third-party dependencies, so nothing is downloaded); stage 2 is a slim Debian with the
# binary only (it needs glibc, which the build stage's Debian matches).
ARG GO_IMAGE=golang:1.24-bookworm
ARG DEBIAN_IMAGE=debian:bookworm-slim

FROM ${GO_IMAGE} AS build
WORKDIR /src/bindings/go
COPY bindings/go/ ./
RUN CGO_ENABLED=1 GOFLAGS=-mod=mod GOPROXY=off \
    go build -trimpath -ldflags=-s -o /out/gateway ./examples/gateway

FROM ${DEBIAN_IMAGE}
COPY --from=build /out/gateway /usr/local/bin/gateway
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/gateway"]
CMD ["-path", "/dev/shm/hftipc/quotes", "-count", "2000000", "-rate", "150000"]
