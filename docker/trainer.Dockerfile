# xstilts trainer image: torch with CUDA, transformers, accelerate. Runs `xstilts grid` as a batch job.
# Build from the repository root: docker build -f docker/trainer.Dockerfile -t xstilts-trainer .
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04

FROM ${CUDA_IMAGE} AS build
ENV DEBIAN_FRONTEND=noninteractive PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends python3 python3-venv python3-dev build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY scripts/install.sh scripts/install.sh
COPY generator generator
COPY service service
COPY trainer trainer
COPY xstilts xstilts
RUN TORCH=torch bash scripts/install.sh python /opt/venv ray

FROM ${CUDA_IMAGE}
ENV DEBIAN_FRONTEND=noninteractive PATH=/opt/venv/bin:$PATH HF_HUB_OFFLINE=1 \
    XSTILTS_DATA_DIR=/data
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends python3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 xstilts \
    && mkdir -p /data /models /runs && chown xstilts:xstilts /data /models /runs
COPY --from=build /opt/venv /opt/venv
# The example configs and the samples they point at (relative paths), for the default tiny run.
COPY --chown=10001:10001 trainer/configs /home/xstilts/trainer/configs
COPY --chown=10001:10001 samples /home/xstilts/samples
USER 10001
WORKDIR /home/xstilts
VOLUME ["/data", "/models", "/runs"]
ENTRYPOINT ["xstilts"]
CMD ["grid", "trainer/configs/tiny.yaml", "--out", "/runs/grid"]
