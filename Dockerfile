# moviebot: the Telegram bot with its CPU-only PyTorch recommender.
#
#   docker build -t moviebot .
#   docker run -d --name moviebot -e TELEGRAM_BOT_TOKEN=123:secret -e ADMIN_IDS=12345 \
#       -v moviebot-data:/data moviebot
#
# or `docker compose up -d` with docker-compose.yml. The database, the trained models and the
# downloaded MovieLens files live in the /data volume, so a new image (or a restarted
# container) keeps every rating and model. .dockerignore keeps the build context to what
# the image needs (no .venv, data/, .git or .env).

# ---- build: a virtual environment with the dependencies, then the project ---------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src

# The dependencies alone, read from pyproject.toml (the build requirements too, so the
# project installs below without fetching anything). This layer, torch and all, is built
# again only when pyproject.toml or constraints.txt changes, never for a code change.
# constraints.txt pins torch; the PyTorch CPU index serves that version as "+cpu" wheels,
# which pip prefers over PyPI's multi-gigabyte CUDA build.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb')); print('\n'.join(p['build-system']['requires'] + p['project']['dependencies']))" > requirements.txt \
    && pip install --extra-index-url https://download.pytorch.org/whl/cpu \
        -c constraints.txt -r requirements.txt \
    && python -c "import torch; assert torch.version.cuda is None, torch.__version__"

# The project itself (a wheel: the migrations/ folder goes in as package data), without
# touching the dependencies; then a check that the installed package (-P: not the copy in
# /src) finds its migrations.
COPY README.md ./
COPY migrations ./migrations
COPY recsys ./recsys
COPY bot ./bot
RUN pip install --no-deps --no-build-isolation . \
    && python -P -c "from bot.storage.migrations import default_migrations_dir as d, load_migrations; assert '/site-packages/' in str(d()) and load_migrations(d()), d()"

# ---- runtime: the environment and an unprivileged user ----------------------------------
FROM python:3.11-slim

# HEALTH_PORT: the bot serves /healthz (and /metrics) on it, for the HEALTHCHECK below;
# publish it (-p 8081:8081) only if something outside the container should ask.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATA_DIR=/data \
    DATABASE_PATH=/data/moviebot.db \
    MODEL_DIR=/data/models \
    HEALTH_PORT=8081 \
    MPLCONFIGDIR=/tmp/matplotlib

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin moviebot \
    && mkdir -p /data /app \
    && chown moviebot:moviebot /data

COPY --from=build /opt/venv /opt/venv

# Numeric, so that a runtime checking runAsNonRoot needs no /etc/passwd to see it.
USER 10001:10001
WORKDIR /app
VOLUME ["/data"]
EXPOSE 8081

# /healthz answers 200 while the database answers and takes writes and a model serves
# (bot/chat/health.py). The first start imports MovieLens before the server is up, hence
# the long start period. No curl in the slim image: Python's urllib does the asking.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['HEALTH_PORT'], timeout=4)"]

# SIGTERM (docker stop) makes the bot finish or hand back what it is handling and exit 0
# within 10 s, Docker's default grace period.
CMD ["moviebot"]
