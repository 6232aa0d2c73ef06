# xstilts API and worker image: CTranslate2 with CUDA, Apertium + FreeDict, optional vLLM.
# Build from the repository root: docker build -f docker/service.Dockerfile -t xstilts-service .
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04

FROM ${CUDA_IMAGE} AS build
ARG WITH_VLLM=0
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
# TORCH=torch takes the CUDA build; extras "gpu" adds vLLM.
RUN extras="ray"; if [ "$WITH_VLLM" = "1" ]; then extras="ray,gpu"; fi \
    && TORCH=torch bash scripts/install.sh python /opt/venv "$extras"

FROM ${CUDA_IMAGE}
# The image serves every interface, so API keys are required from the start.
ENV DEBIAN_FRONTEND=noninteractive PATH=/opt/venv/bin:$PATH \
    XSTILTS_DATA_DIR=/data XSTILTS_REQUIRE_KEYS=true HF_HUB_OFFLINE=1
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends python3 curl \
    && rm -rf /var/lib/apt/lists/*
COPY scripts/install.sh /usr/local/lib/xstilts/install.sh
RUN bash /usr/local/lib/xstilts/install.sh system && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 xstilts \
    && mkdir -p /data /models && chown xstilts:xstilts /data /models
COPY --from=build /opt/venv /opt/venv
USER 10001
WORKDIR /home/xstilts
VOLUME ["/data", "/models"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["curl", "-fsS", "http://127.0.0.1:8000/healthz"]
CMD ["xstilts", "serve", "--host", "0.0.0.0", "--port", "8000"]
