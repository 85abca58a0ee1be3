# Tessera production image: gunicorn serving config.wsgi, static files via whitenoise.

# --- builder: turn requirements.txt into wheels, so the final image needs no compilers.
FROM python:3.11-slim AS builder
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

# --- final image
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.prod

RUN useradd --create-home --uid 1000 tessera
WORKDIR /app

COPY --from=builder /wheels /wheels
COPY requirements.txt .
RUN pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt \
    && rm -rf /wheels

COPY . .
# Prod settings read SECRET_KEY/DATABASE_URL from the environment: a throwaway random key
# and a dummy URL for this step only (collectstatic never connects), not baked into the image.
RUN env SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
        DATABASE_URL=postgres://build@localhost/build \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/private/exports \
    && chown -R tessera:tessera /app/media /app/private

USER tessera
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
# Workers, bind and logs: config/gunicorn.py (WEB_CONCURRENCY overrides the worker count).
CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn.py"]
