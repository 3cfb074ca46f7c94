# syntax=docker/dockerfile:1
# The production image of Wat telt (docs/operations.md):
#   docker build -t wattelt .
#   docker run -e DATABASE_URL=postgres://... -e WATTELT_SECRET_KEY_FILE=/run/secrets/key \
#     -e WATTELT_ALLOWED_HOSTS=watteld.example.nl -p 8000:8000 wattelt
# Starts deploy/serve.sh: migrations (one server at a time), then gunicorn with
# deploy/gunicorn.conf.py. The static files are collected here, at build time.

# --- The NL Design System stylesheet, built from the npm packages (bin/build-css.mjs) ---
FROM node:20-bookworm-slim AS css
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --silent
COPY bin/build-css.mjs bin/
COPY src/wattelt src/wattelt
RUN node bin/build-css.mjs var/css/nlds.css

# --- The app: Debian slim, Python 3.11, the locked dependencies through uv -------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv
# Pango and fonts for WeasyPrint (PDFs); pg_dump/pg_restore (15, as the server) for
# backup_database and restore_database.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-dejavu-core fonts-liberation2 postgresql-client \
 && rm -rf /var/lib/apt/lists/*
COPY --from=ghcr.io/astral-sh/uv:0.13.8 /uv /usr/local/bin/uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev
COPY manage.py ./
COPY src ./src
COPY deploy ./deploy
COPY --from=css /build/var/css ./var/css
# Hashed names and gzip/brotli copies (whitenoise's CompressedManifestStaticFilesStorage).
# The key only lets the settings load: nothing is signed at build time.
RUN WATTELT_SECRET_KEY=build-only-not-a-secret .venv/bin/python manage.py collectstatic --noinput -v0
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin wattelt \
 && mkdir -p /app/var/backups \
 && chown wattelt /app/var/backups
USER wattelt
ENV WATTELT_COLLECTSTATIC=0 \
    PYTHON=/app/.venv/bin/python \
    WATTELT_BIND=0.0.0.0:8000
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
  CMD ["/app/.venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=4)"]
CMD ["deploy/serve.sh"]
