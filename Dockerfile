# syntax=docker/dockerfile:1
#
# Inception Streams, the classifier service. Two images from one file:
#
#   docker build -t inception-streams .                            CPU (the default, last stage)
#   docker build --target gpu -t inception-streams:gpu .           NVIDIA GPU, CUDA 11.2
#
# Needs BuildKit (the default builder of Docker 23+ and of `docker compose`): the Maven repository
# is a cache mount, so a rebuild does not download every dependency again.

ARG JDK_IMAGE=eclipse-temurin:17-jdk
# Not an Alpine image: libmxnet.so is linked against glibc.
ARG JRE_IMAGE=eclipse-temurin:17-jre
ARG CUDA_IMAGE=nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04
ARG PYTHON_IMAGE=python:3.11-slim

# --- build: the shaded jar, with the same Maven wrapper as CI --------------------------------------
FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY schemas/ schemas/
COPY model/ model/
COPY embedded-kafka/ embedded-kafka/
COPY streams/ streams/
COPY cli/ cli/
# -DskipTests: the model tests train on and score against Debian's dataset-fashion-mnist, which this
# image does not have. CI runs the whole suite (`./mvnw -B verify`) before an image is built.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -DskipTests -pl cli -am package \
 && mkdir -p /out \
 && cp cli/target/inception-streams.jar /out/
# DJL would unpack the MXNet CPU natives (~180 MB) from the jar into its cache at every container's
# first start. Unpack them once here instead; MXNET_LIBRARY_PATH points DJL at them. Same files, same
# jar, so the two cannot drift apart.
RUN cd /tmp && jar xf /out/inception-streams.jar native/lib \
 && mkdir -p /out/mxnet-cpu \
 && cp native/lib/*.so* /out/mxnet-cpu/ \
 && test -f /out/mxnet-cpu/libmxnet.so

# --- jre: the Java runtime both images use ----------------------------------------------------------
FROM ${JRE_IMAGE} AS jre

# --- mxnet-cuda: MXNet 1.9.1 built for CUDA 11.2, from Apache MXNet's pip wheel ---------------------
# DJL's CUDA builds of MXNet are not on Maven Central and the service runs with DJL's offline mode on,
# so nothing is downloaded at run time: the CUDA libmxnet.so has to be in the image. The wheel is a
# zip; no Python is installed in the final image. Where the wheel does not bring its own, the GCC
# runtime libraries (libgomp, libgfortran, libquadmath) and OpenBLAS come from the CPU jar: DJL ships
# that same set for every MXNet 1.9.1 flavour.
FROM ${PYTHON_IMAGE} AS mxnet-cuda
ARG MXNET_CUDA_WHEEL=mxnet-cu112==1.9.1
# The wheel (~0.5 GB) first, so a change of the sources does not download it again.
RUN pip download --no-deps --only-binary=:all: --dest /tmp/wheel "${MXNET_CUDA_WHEEL}" \
 && python -m zipfile -e /tmp/wheel/*.whl /tmp/unpacked \
 && mkdir -p /opt/mxnet \
 && cp -P /tmp/unpacked/mxnet/*.so* /opt/mxnet/ \
 && test -f /opt/mxnet/libmxnet.so \
 && rm -rf /tmp/wheel /tmp/unpacked
COPY --from=build /out/mxnet-cpu/ /tmp/mxnet-cpu/
RUN for lib in /tmp/mxnet-cpu/*.so*; do \
      name="${lib##*/}"; \
      if [ "${name}" != libmxnet.so ] && [ ! -e "/opt/mxnet/${name}" ]; then cp "${lib}" /opt/mxnet/; fi; \
    done \
 && rm -rf /tmp/mxnet-cpu

# --- gpu: the service on CUDA 11.2 + cuDNN 8 -------------------------------------------------------
# Needs the NVIDIA driver (>= 460.27 for CUDA 11.2) and the NVIDIA Container Toolkit on the host, and
# a GPU of compute capability 5.0 to 8.6 (Maxwell to Ampere). Untested: no machine of this project
# has a GPU.
FROM ${CUDA_IMAGE} AS gpu
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH=${JAVA_HOME}/bin:${PATH}
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
COPY --from=mxnet-cuda /opt/mxnet/ /opt/mxnet/
# DJL finds CUDA by loading "cudart" (libcudart.so); the runtime image only has the versioned file.
# Fail the build, not the first start, when libmxnet.so needs a library the image lacks (libcuda.so.1
# is the driver's: the NVIDIA Container Toolkit mounts it at run time).
RUN cd /usr/local/cuda/lib64 \
 && if [ ! -e libcudart.so ]; then ln -s "$(ls libcudart.so.11* | head -n 1)" libcudart.so; fi \
 && missing="$(LD_LIBRARY_PATH=/opt/mxnet:/usr/local/cuda/lib64 ldd /opt/mxnet/libmxnet.so \
      | awk '/not found/ {print $1}' | grep -vx 'libcuda.so.1' || true)" \
 && if [ -n "${missing}" ]; then echo "libmxnet.so needs libraries missing from the image: ${missing}" >&2; exit 1; fi \
 && useradd --system --uid 10001 --user-group --create-home \
      --home-dir /var/lib/inception-streams --shell /usr/sbin/nologin inception
COPY --from=build /out/inception-streams.jar /opt/inception-streams/inception-streams.jar
COPY --chmod=0755 docker/entrypoint.sh docker/healthcheck.sh /opt/inception-streams/bin/
ENV MXNET_LIBRARY_PATH=/opt/mxnet \
    LD_LIBRARY_PATH=/opt/mxnet:/usr/local/cuda/lib64:/usr/local/nvidia/lib:/usr/local/nvidia/lib64 \
    DJL_CACHE_DIR=/var/lib/inception-streams/djl \
    INCEPTION_DEVICE=auto
USER inception
WORKDIR /var/lib/inception-streams
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 \
    CMD ["/opt/inception-streams/bin/healthcheck.sh"]
ENTRYPOINT ["/opt/inception-streams/bin/entrypoint.sh"]
CMD ["run"]

# --- runtime (default): the service on the CPU -----------------------------------------------------
FROM jre AS runtime
RUN useradd --system --uid 10001 --user-group --create-home \
      --home-dir /var/lib/inception-streams --shell /usr/sbin/nologin inception
COPY --from=build /out/mxnet-cpu/ /opt/mxnet/
COPY --from=build /out/inception-streams.jar /opt/inception-streams/inception-streams.jar
COPY --chmod=0755 docker/entrypoint.sh docker/healthcheck.sh /opt/inception-streams/bin/
# DJL_CACHE_DIR: DJL's cache (native libraries, model zoo downloads) must be writable by the
# non-root user; its home is. OMP_NUM_THREADS: set by the entrypoint from the container's CPU
# limit unless given.
ENV MXNET_LIBRARY_PATH=/opt/mxnet \
    DJL_CACHE_DIR=/var/lib/inception-streams/djl
USER inception
WORKDIR /var/lib/inception-streams
EXPOSE 8080
# /health is 200 once Kafka Streams is RUNNING (or REBALANCING) and the model is loaded.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/opt/inception-streams/bin/healthcheck.sh"]
ENTRYPOINT ["/opt/inception-streams/bin/entrypoint.sh"]
CMD ["run"]
