# The demo's JVM service (demo/service/Service.java) with the Java binding, for the sidecar pod
# (deploy/kubernetes/sidecar-pod.yaml) and deploy/docker/compose.yaml.
# Build from the repository root:   deploy/docker/images.sh build   (docs/KUBERNETES.md, "Images")
#
# Stage 1 builds the binding's jar with Maven (SWIG, CMake and gcc for the JNI library) and
# compiles the service; stage 2 is a JRE with the jar, the classes and the JNI library taken out
# of the jar, loaded through -Dhftipc.native.path: nothing is extracted at run time, so the
# container works with a read-only root file system and any /tmp.
# The JDK and JRE images are the same distribution (Ubuntu), so the library's glibc matches.
ARG JDK_IMAGE=maven:3.9-eclipse-temurin-17
ARG JRE_IMAGE=eclipse-temurin:17-jre

FROM ${JDK_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends swig cmake gcc libc6-dev make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY core/ core/
COPY bindings/java/ bindings/java/
COPY demo/service/ demo/service/
RUN cd bindings/java \
    && mvn -B -q -DskipTests package \
    && mkdir -p /out/classes /out/lib \
    && cp target/hftipc-*.jar /out/hftipc.jar \
    && cp target/classes/native/*/libhftipc_jni.so /out/lib/ \
    && javac -d /out/classes -cp /out/hftipc.jar /src/demo/service/Service.java

FROM ${JRE_IMAGE}
COPY --from=build /out/ /opt/hftipc/
USER 10001:10001
ENTRYPOINT ["java", "-Dhftipc.native.path=/opt/hftipc/lib/libhftipc_jni.so", \
            "-cp", "/opt/hftipc/hftipc.jar:/opt/hftipc/classes", "Service"]
CMD ["--path", "/dev/shm/hftipc/book"]
