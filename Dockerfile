# Loa in a container: `docker build -t loa .` then see compose.yaml (README, "For operators").
# The build reaches only the package registries: the Python package index (pip) and Debian's
# archive (one font); nothing else is downloaded.

FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
# The wheel carries the templates, rates and topics; hatchling comes from the package index.
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
# The leaflets' PDF embeds DejaVu Sans (it covers Vietnamese), from Debian's package.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN pip install /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin loa \
    && mkdir -p /data \
    && chown loa:loa /data \
    && chmod 0700 /data
# Configuration comes from the environment (compose.yaml reads .env); the database lives in
# the /data volume; the web server (webhooks, files, /healthz, /metrics) must listen on all
# of the container's addresses for a published port to reach it.
ENV DATABASE_URL=sqlite:////data/loa.db \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8443
USER loa
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8443
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEB_PORT', '8443'), timeout=4)"]
CMD ["loa", "run"]
