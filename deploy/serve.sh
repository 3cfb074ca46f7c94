#!/usr/bin/env bash
# Start Wat telt in production mode: apply migrations (one server at a time), collect the
# static files (hashed names, gzip and brotli copies), then run gunicorn with the
# committed configuration. Used by `make serve` and the container image.
#
#   WATTELT_SECRET_KEY (or WATTELT_SECRET_KEY_FILE), DATABASE_URL, WATTELT_ALLOWED_HOSTS ...
#   deploy/serve.sh
#
# WATTELT_COLLECTSTATIC=0 skips collectstatic (the image collects at build time).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
"$python" manage.py deploy_migrate
if [ "${WATTELT_COLLECTSTATIC:-1}" != 0 ]; then
  "$python" manage.py collectstatic --noinput --verbosity 0
fi
exec "$python" -m gunicorn --config deploy/gunicorn.conf.py
