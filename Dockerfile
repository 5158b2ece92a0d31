# Same install steps as the README: a virtualenv and pip, from pyproject.toml.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
RUN pip install .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /app linkage
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    LINKAGE_HOST=0.0.0.0 \
    LINKAGE_PORT=8000 \
    LINKAGE_DATA_DIR=/app/var
WORKDIR /app
USER linkage
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# `serve` migrates first; with several replicas, run `linkage migrate` as a one-off job instead.
CMD ["linkage", "serve"]
