# Comptoir's image: the app, its task worker and its scheduler are the same image with another command
# (deploy/entrypoint.sh: web | worker | scheduler | any `comptoir` command). compose.yaml runs all three
# with PostgreSQL. Configuration comes from the environment only (deploy/comptoir.env.example).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    COMPTOIR_VAR_DIR=/var/lib/comptoir \
    COMPTOIR_BACKUP_DIR=/var/backups/comptoir \
    COMPTOIR_BIND=0.0.0.0:8000

# pg_dump for `comptoir backup` on PostgreSQL; gettext is not needed (the .mo files are committed).
RUN apt-get update \
    && apt-get install --no-install-recommends -y postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/comptoir --create-home comptoir \
    && mkdir -p /var/backups/comptoir && chown comptoir:comptoir /var/backups/comptoir

WORKDIR /opt/comptoir
COPY requirements.lock pyproject.toml ./
RUN pip install -r requirements.lock
COPY comptoir ./comptoir
COPY deploy/entrypoint.sh /usr/local/bin/comptoir-entrypoint
RUN pip install --no-deps . && chmod +x /usr/local/bin/comptoir-entrypoint

USER comptoir
VOLUME ["/var/lib/comptoir", "/var/backups/comptoir"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
ENTRYPOINT ["comptoir-entrypoint"]
CMD ["web"]
