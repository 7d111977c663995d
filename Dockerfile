# The image of every process of the product: gunicorn (the default command), the Celery
# worker and beat run the same image with another command (compose.yaml). Built from the
# project's own lock files: requirements.txt and package-lock.json.

# Front-end packages (Bootstrap, htmx, ECharts, Swagger UI) are static files from npm.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ENV_FILE= \
    GUNICORN_BIND=0.0.0.0:8000 \
    MEDIA_ROOT=/app/media
WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
COPY --from=assets /app/node_modules ./node_modules
# Hashed, compressed static files for WhiteNoise; the key only lets settings load here.
RUN DEBUG=False SECRET_KEY=collectstatic-at-build-time-only python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --uid 10001 --home-dir /app burden \
    && mkdir -p /app/media && chown burden /app/media
USER burden
EXPOSE 8000
# Liveness only: a Redis or PostgreSQL outage is not cured by restarting the web process.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live/', timeout=4)"]
CMD ["gunicorn"]
