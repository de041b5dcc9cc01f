# moviebot: the Telegram bot with its CPU-only PyTorch recommender.
#
#   docker build -t moviebot .
#   docker run -d --name moviebot -e TELEGRAM_BOT_TOKEN=123:secret -e ADMIN_IDS=12345 \
#       -v moviebot-data:/data moviebot
#
# The database, the trained models and the downloaded MovieLens files live in the /data
# volume, so a new image (or a restarted container) keeps every rating and model.

# ---- build: a virtual environment with the project and its dependencies ----------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY recsys ./recsys

# constraints.txt pins torch; the PyTorch CPU index serves that version as "+cpu" wheels,
# which pip prefers over PyPI's multi-gigabyte CUDA build.
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu -c constraints.txt . \
    && python -c "import torch; assert torch.version.cuda is None, torch.__version__"

# ---- runtime: the environment, the migrations, an unprivileged user ---------------------
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATA_DIR=/data \
    DATABASE_PATH=/data/moviebot.db \
    MODEL_DIR=/data/models \
    MIGRATIONS_DIR=/app/migrations \
    MPLCONFIGDIR=/tmp/matplotlib

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin moviebot \
    && mkdir -p /data /app \
    && chown moviebot:moviebot /data

COPY --from=build /opt/venv /opt/venv
COPY migrations /app/migrations

USER moviebot
WORKDIR /app
VOLUME ["/data"]

CMD ["moviebot"]
