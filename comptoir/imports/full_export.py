"""Every datum of the company in one zip file, so that no customer is ever locked in (#19 point 3).

The zip holds one CSV file per table, the files the tables point to, a `manifest.json` and a `LISEZMOI.txt`
(French and English) that describes the format:

- `tables/<table>.csv`: UTF-8, comma-separated, RFC 4180 quoting, one header row of the column names as
  the database names them (a link to another row is that row's `id`, in the column `<name>_id`); decimals
  with a dot and no thousands separator (`1234.50`); dates and times in ISO 8601 (times in UTC); booleans
  `true`/`false`; JSON columns as JSON text; an empty cell is NULL or an empty text.
- `files/<sha256>`: the content of every binary column (the archived PDFs and e-mails, the Factur-X XML,
  the imported files), stored once by its SHA-256; the CSV cell holds `files/<sha256>`.
- `media/<path>`: the files uploaded to the disk (return-case photos), the CSV cell holds their path.
- `manifest.json`: when and by whom, the company, each table's file, columns, row count and SHA-256, and
  what was left out and why.

Left out, on purpose: password hashes, API token digests, sessions, sign-in attempts, the idempotency
cache and the task queue — secrets or transient state that a new system could not use and must not get.

The export reads the tables in one transaction, so its rows agree with each other (on PostgreSQL the
transaction is REPEATABLE READ when the export starts it: one snapshot for every table).
"""

import csv
import datetime
import decimal
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models, transaction

FORMAT_VERSION = 1
BATCH = 2000
SPOOL_BYTES = 8 * 1024 * 1024

# The apps whose tables are the company's data; Django's own only for the users and their roles.
OWN_APPS_PREFIX = "comptoir."
DJANGO_TABLES = {"auth_user", "auth_group", "auth_user_groups"}
LEFT_OUT = {
    "core_apitoken": "jetons d'API (empreintes secrètes) / API token digests (secrets)",
    "core_idempotencykey": "cache de rejeu des requêtes d'API / API replay cache (transient)",
    "scheduling_workerheartbeat": "signe de vie du processus de tâches / worker heartbeat (transient)",
}
SECRET_COLUMNS = {"auth_user": {"password": "empreintes de mot de passe / password hashes"}}


@dataclass
class TableExport:
    table: str
    file: str
    columns: list[str]
    rows: int = 0
    sha256: str = ""


@dataclass
class Manifest:
    tables: list[TableExport] = field(default_factory=list)
    files: int = 0
    media: int = 0

    def rows(self, table: str) -> int:
        return next(t.rows for t in self.tables if t.table == table)


def exported_models() -> list[type[models.Model]]:
    """The models whose tables go into the export, in a stable order (by table name)."""
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table in LEFT_OUT or model._meta.proxy or not model._meta.managed:
            continue
        if model.__module__.startswith(OWN_APPS_PREFIX) or table in DJANGO_TABLES:
            chosen.append(model)
        elif model._meta.auto_created and _links_only_exported(model):
            chosen.append(model)  # a many-to-many table between two exported models belongs with them
    return sorted(chosen, key=lambda m: m._meta.db_table)


def _links_only_exported(model) -> bool:
    ends = [f.related_model for f in model._meta.concrete_fields if f.is_relation]
    return bool(ends) and all(
        end.__module__.startswith(OWN_APPS_PREFIX) or end._meta.db_table in DJANGO_TABLES for end in ends
    )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


class _Writer:
    """Writes the members of the zip, each binary content once."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.stored: set[str] = set()
        self.media: set[str] = set()

    def binary(self, content) -> str:
        if content is None:
            return ""
        data = bytes(content)
        digest = hashlib.sha256(data).hexdigest()
        name = f"files/{digest}"
        if digest not in self.stored:
            self.archive.writestr(name, data)
            self.stored.add(digest)
        return name

    def media_file(self, path: str) -> str:
        if path and path not in self.media and default_storage.exists(path):
            with default_storage.open(path, "rb") as handle:
                self.archive.writestr(f"media/{path}", handle.read())
            self.media.add(path)
        return path


def _export_table(model, writer: _Writer) -> TableExport:
    """One table to its CSV. The CSV is spooled (memory, then disk beyond a few MB) and added to the zip
    once written, since binary contents go into the zip while the rows are read."""
    table = model._meta.db_table
    secret = SECRET_COLUMNS.get(table, {})
    fields = [f for f in model._meta.concrete_fields if f.column not in secret]
    export = TableExport(table=table, file=f"tables/{table}.csv", columns=[f.column for f in fields])
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        lines = csv.writer(text)
        lines.writerow(export.columns)
        rows = model._base_manager.order_by("pk").values_list(*[f.attname for f in fields])
        for row in rows.iterator(chunk_size=BATCH):
            cells = []
            for f, value in zip(fields, row, strict=True):
                if isinstance(f, models.BinaryField):
                    cells.append(writer.binary(value))
                elif isinstance(f, models.FileField):
                    cells.append(writer.media_file(value or ""))
                else:
                    cells.append(_text(value))
            lines.writerow(cells)
            export.rows += 1
        text.flush()
        text.detach()
        spool.seek(0)
        digest = hashlib.sha256()
        with writer.archive.open(export.file, "w", force_zip64=True) as member:
            while chunk := spool.read(1 << 20):
                digest.update(chunk)
                member.write(chunk)
    export.sha256 = digest.hexdigest()
    return export


README = """Comptoir — export complet des données / full data export
================================================================

FR  Ce fichier contient toutes les données de la société dans Comptoir, dans un format ouvert :
    - tables/<table>.csv : UTF-8, séparateur virgule, guillemets RFC 4180, une ligne d'en-tête (noms des
      colonnes de la base ; un lien vers une autre ligne est son « id », colonne <nom>_id) ; nombres
      décimaux avec un point, sans séparateur de milliers ; dates et heures ISO 8601 (heures en UTC) ;
      booléens true/false ; colonnes JSON en texte JSON ; cellule vide = absence de valeur ou texte vide.
    - files/<sha256> : le contenu des colonnes binaires (PDF et e-mails archivés, XML Factur-X, fichiers
      importés), stocké une fois, nommé par son empreinte SHA-256 ; la cellule contient files/<sha256>.
    - media/<chemin> : les fichiers déposés (photos des retours) ; la cellule contient leur chemin.
    - manifest.json : date, auteur, société, et pour chaque table son fichier, ses colonnes, son nombre de
      lignes et l'empreinte SHA-256 de son CSV ; ce qui a été laissé de côté et pourquoi.
    Laissés de côté : empreintes de mots de passe, jetons d'API, sessions, tentatives de connexion, cache
    d'idempotence, file des tâches (secrets ou état transitoire).

EN  This file holds every datum of the company in Comptoir, in an open format:
    - tables/<table>.csv: UTF-8, comma-separated, RFC 4180 quoting, one header row (the database's
      column names; a link to another row is its id, column <name>_id); decimals with a dot and no
      thousands separator; ISO 8601 dates and times (times in UTC); booleans true/false; JSON columns as
      JSON text; an empty cell is NULL or an empty text.
    - files/<sha256>: the content of binary columns (archived PDFs and e-mails, Factur-X XML, imported
      files), stored once under its SHA-256; the cell holds files/<sha256>.
    - media/<path>: uploaded files (return-case photos); the cell holds their path.
    - manifest.json: when, by whom, the company, and per table its file, columns, row count and the
      SHA-256 of its CSV; what was left out and why.
    Left out: password hashes, API tokens, sessions, sign-in attempts, the idempotency cache, the task
    queue (secrets or transient state).
"""


def write_export(target, *, by_name: str, company: dict) -> Manifest:
    """Write the whole export into `target` (a path or a binary file object). Reads in the caller's
    transaction (see `imports.services.export_all_data`)."""
    manifest = Manifest()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        writer = _Writer(archive)
        archive.writestr("LISEZMOI.txt", README)
        for model in exported_models():
            manifest.tables.append(_export_table(model, writer))
        manifest.files, manifest.media = len(writer.stored), len(writer.media)
        left_out = dict(LEFT_OUT)
        for table, columns in SECRET_COLUMNS.items():
            for column, why in columns.items():
                left_out[f"{table}.{column}"] = why
        document = {
            "format": "comptoir-export",
            "format_version": FORMAT_VERSION,
            "generated_at": _text(datetime.datetime.now(datetime.UTC)),
            "generated_by": by_name,
            "database": connection.vendor,
            "time_zone_of_dates": settings.TIME_ZONE,
            "company": company,
            "tables": [t.__dict__ for t in manifest.tables],
            "files": manifest.files,
            "media": manifest.media,
            "left_out": left_out,
        }
        archive.writestr("manifest.json", json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))
    return manifest


def start_snapshot() -> None:
    """On PostgreSQL, make the transaction just opened read every table at one instant. Only possible
    before its first query: inside an outer transaction (a test, a caller's action) it keeps its level."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def export_all_data(target, *, by) -> Manifest:
    """The business action: everything into `target`, for direction or the administrator, audited.

    One transaction: on PostgreSQL a snapshot of every table at one instant when this call opens it."""
    from comptoir.core import audit, permissions
    from comptoir.parties.models import Company

    opens_transaction = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        if opens_transaction:
            start_snapshot()
        permissions.require(by, "data.export")
        company = Company.objects.order_by("pk").first()
        identity = {"name": company.legal_name, "siren": company.siren} if company else {}
        manifest = write_export(target, by_name=by.get_username(), company=identity)
        audit.record(
            "data.exported",
            by=by,
            object_type="company",
            object_id=company.pk if company else "",
            object_repr=identity.get("name", ""),
            data={
                "tables": len(manifest.tables),
                "rows": sum(t.rows for t in manifest.tables),
                "files": manifest.files,
                "media": manifest.media,
            },
        )
    return manifest
