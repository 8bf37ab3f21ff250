FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY shop ./shop
COPY personalization ./personalization
COPY privacy ./privacy
RUN pip install --no-cache-dir .
COPY . .
RUN DJANGO_SECRET_KEY=build-only-$(date +%s)-collectstatic-placeholder-value \
    EMAIL_URL=smtp://localhost:25 \
    FIELD_ENCRYPTION_KEY=build-only-encryption-placeholder-value-0000 \
    FIELD_SIGNING_KEY=build-only-signing-placeholder-value-000000000 \
    BLIND_INDEX_KEY=build-only-blind-index-placeholder-value-0000000 \
    SHOP_TEST_PROVIDER_WEBHOOK_SECRET=build-only-webhook-placeholder-value-000000 \
    python manage.py collectstatic --noinput
RUN useradd --create-home shop && mkdir -p /app/media && chown -R shop /app
USER shop
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "-c", "config/gunicorn.py"]
