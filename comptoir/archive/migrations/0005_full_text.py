"""Full-text search over the archive's entries, in each database's own way, and the entries of the files
archived before them.

SQLite: an FTS5 table with external content (`archive_fts`, rowid = the file's id), accents folded
(`unicode61 remove_diacritics 2`), kept by triggers on `archive_archiveentry`. A later migration that
rebuilds that table on SQLite drops these triggers: it must create them again (as the guard migrations do).

PostgreSQL: a stored generated `tsvector` column under the French configuration (stemming: « perceuses »
finds « perceuse »), number and party weighted first, with a GIN index.
"""

import datetime

from django.db import migrations

from comptoir.archive import retention, text

FTS_COLUMNS = "number, party, names, text"

SQLITE = [
    "CREATE VIRTUAL TABLE archive_fts USING fts5(number, party, names, text, "
    "content='archive_archiveentry', content_rowid='file_id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER archive_entry_fts_insert AFTER INSERT ON archive_archiveentry BEGIN "
    f"INSERT INTO archive_fts(rowid, {FTS_COLUMNS}) "
    "VALUES (new.file_id, new.number, new.party, new.names, new.text); END",
    "CREATE TRIGGER archive_entry_fts_delete AFTER DELETE ON archive_archiveentry BEGIN "
    f"INSERT INTO archive_fts(archive_fts, rowid, {FTS_COLUMNS}) "
    "VALUES ('delete', old.file_id, old.number, old.party, old.names, old.text); END",
    "CREATE TRIGGER archive_entry_fts_update AFTER UPDATE ON archive_archiveentry BEGIN "
    f"INSERT INTO archive_fts(archive_fts, rowid, {FTS_COLUMNS}) "
    "VALUES ('delete', old.file_id, old.number, old.party, old.names, old.text); "
    f"INSERT INTO archive_fts(rowid, {FTS_COLUMNS}) "
    "VALUES (new.file_id, new.number, new.party, new.names, new.text); END",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS archive_entry_fts_insert",
    "DROP TRIGGER IF EXISTS archive_entry_fts_delete",
    "DROP TRIGGER IF EXISTS archive_entry_fts_update",
    "DROP TABLE IF EXISTS archive_fts",
]
# Accents folded by translate() (immutable, unlike unaccent(), so allowed in a generated column); the
# search folds its words the same way (archive.selectors.fold): « boite » finds « boîte ». Dashes, slashes
# and underscores separate words, as in SQLite's tokenizer: PostgreSQL's parser would otherwise read
# « PO-2026-0412 » as a hyphenated word and a negative number, which the words « PO 2026 0412 » miss.
ACCENTED = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸ-/_"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyoaAAAAAACEEEEIIIINOOOOOUUUUYY   "


def _folded(column: str) -> str:
    return f"translate(coalesce({column}, ''), '{ACCENTED}', '{PLAIN}')"


POSTGRESQL = [
    "ALTER TABLE archive_archiveentry ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector('french'::regconfig, {_folded('number')}), 'A') || "
    f"setweight(to_tsvector('french'::regconfig, {_folded('party')}), 'A') || "
    f"setweight(to_tsvector('french'::regconfig, {_folded('names')}), 'B') || "
    f"setweight(to_tsvector('french'::regconfig, {_folded('text')}), 'C')) STORED",
    "CREATE INDEX archive_entry_search ON archive_archiveentry USING GIN (search)",
]
POSTGRESQL_BACK = [
    "DROP INDEX IF EXISTS archive_entry_search",
    "ALTER TABLE archive_archiveentry DROP COLUMN IF EXISTS search",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, SQLITE if vendor == "sqlite" else POSTGRESQL if vendor == "postgresql" else [])
    ArchivedFile = apps.get_model("archive", "ArchivedFile")
    ArchiveEntry = apps.get_model("archive", "ArchiveEntry")
    for file in ArchivedFile.objects.select_related("content").iterator(chunk_size=100):
        kind = retention.kind_of(file.document_app, file.document_model, media_type=file.media_type)
        day = (file.received_at or file.created_at or datetime.datetime.now()).date()
        ArchiveEntry.objects.create(
            file=file,
            kind=kind,
            number=file.document_number,
            names=" ".join(filter(None, [file.original_name, file.sender or ""])),
            text=text.extract(bytes(file.content.content), file.media_type),
            document_date=day,
            retention_years=retention.years_for(kind),
            retain_until=retention.retain_until(kind, day),
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, SQLITE_BACK if vendor == "sqlite" else POSTGRESQL_BACK if vendor == "postgresql" else [])


class Migration(migrations.Migration):
    dependencies = [("archive", "0004_entries_and_tags")]
    operations = [migrations.RunPython(forwards, backwards)]
