# syntax=docker/dockerfile:1
# ECM production image: gunicorn (web), Celery worker and Celery beat all run from it
# (see docker-compose.yml). Debian 12 (bookworm) like the development machines.

# --- Front-end dependencies, pinned by package-lock.json --------------------------------------
FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- Application --------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's system libraries (Pango, HarfBuzz subsetting, fontconfig) and Arial-metric fonts
# for the PDFs; psycopg's binary wheel brings its own libpq. postgresql-client (15 on bookworm,
# like the db service) gives `manage.py backup`/`restore` their pg_dump and pg_restore.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-liberation \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --home-dir /home/ecm --user-group ecm \
    && mkdir -p /data/media /data/backups \
    && chown ecm:ecm /data/media /data/backups

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-deps -r requirements.lock

COPY . .

# GOV.UK Frontend and axe-core into static/vendor, rewritten as in development (Arial, relative
# asset URLs), then collectstatic. Production settings refuse to load without their variables,
# so collectstatic gets throwaway values that exist only for this one command.
COPY --from=frontend /build/node_modules/govuk-frontend /tmp/node_modules/govuk-frontend
COPY --from=frontend /build/node_modules/axe-core /tmp/node_modules/axe-core
RUN python scripts/vendor_frontend.py --node-modules /tmp/node_modules \
    && rm -rf /tmp/node_modules \
    && SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
       ALLOWED_HOSTS=build.invalid \
       DATABASE_URL=postgres://build.invalid/build \
       REDIS_URL=redis://build.invalid:6379/0 \
       DJANGO_SETTINGS_MODULE=config.settings.production \
       python manage.py collectstatic --noinput

ENV DJANGO_SETTINGS_MODULE=config.settings.production \
    ECM_MEDIA_ROOT=/data/media \
    PORT=8000

USER ecm
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
