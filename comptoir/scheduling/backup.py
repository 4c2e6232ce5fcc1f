"""Backups that restore: a consistent snapshot of the database taken while Comptoir runs, the files beside
it, and a manifest of SHA-256 hashes with the audit chain's head.

    DIR/db.sqlite3 or DIR/db.dump   SQLite's online backup API / `pg_dump -Fc` in an exported snapshot
    DIR/files/media/…               MEDIA_ROOT (return photos and scans)
    DIR/files/audit-checkpoints.jsonl  the signed checkpoints of the audit chain (copied first)
    DIR/manifest.json               format, backend, migrations, audit head, hash of every file

The audit head and the migrations are read from the snapshot itself (the backup file on SQLite, the
exported snapshot pg_dump uses on PostgreSQL), so they describe exactly what was saved. The invoice
archive (CII XML, Factur-X PDF) lives in the database and is in the dump. The audit key is not in the
backup: keep it apart (docs/architecture.md, "Audit trail").

`restore` goes into an empty database only, after checking every hash.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from comptoir.core.errors import DomainError
from comptoir.core.errors import fail as _fail
from comptoir.scheduling import errors, retention

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def backend() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


# --- Making a backup ------------------------------------------------------------------------------------


def make(out: Path) -> dict:
    """Write a backup into `out` (created; refused if it exists and is not empty). Returns the manifest."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        _fail(errors.BACKUP_DIR_NOT_EMPTY, path=str(out))
    files = out / "files"
    files.mkdir(parents=True, exist_ok=True)
    # Checkpoints first: one taken after the database snapshot would attest events the backup lacks.
    checkpoints = Path(settings.AUDIT_CHECKPOINT_FILE)
    if checkpoints.exists():
        shutil.copy2(checkpoints, files / "audit-checkpoints.jsonl")
    if backend() == "sqlite":
        database, state = "db.sqlite3", _sqlite_snapshot(out / "db.sqlite3")
    else:
        database, state = "db.dump", _pg_snapshot(out / "db.dump")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        shutil.copytree(media, files / "media", dirs_exist_ok=True)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "backend": backend(),
        "database": database,
        "migrations": state["migrations"],
        "audit_head": state["audit_head"],
        "files": {
            path.relative_to(out).as_posix(): sha256(path)
            for path in sorted(out.rglob("*"))
            if path.is_file() and path.name != MANIFEST
        },
    }
    temporary = out / (MANIFEST + ".tmp")
    temporary.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    temporary.replace(out / MANIFEST)
    return manifest


def _state(cursor) -> dict:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    cursor.execute("SELECT last_seq, last_hash FROM core_auditchainhead ORDER BY id LIMIT 1")
    row = cursor.fetchone()
    head = {"seq": int(row[0]), "hash": row[1]} if row else {"seq": 0, "hash": "0" * 64}
    return {"migrations": migrations, "audit_head": head}


def _sqlite_snapshot(target: Path) -> dict:
    """SQLite's online backup API: a consistent copy even while other connections write (WAL included),
    never a copy of the file, which may miss what is still in the WAL."""
    if connection.in_atomic_block:
        # The copy would wait for ever on this connection's own open write transaction.
        raise RuntimeError("une sauvegarde SQLite se prend hors transaction")
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # A single self-contained file: no -wal/-shm beside it when it is read (verify-backup) or moved.
        copy.execute("PRAGMA journal_mode=DELETE")
        return _state(copy.cursor())
    finally:
        copy.close()


def _pg_command(program: str) -> list[str]:
    db = settings.DATABASES["default"]
    args = [program, "--no-password"]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return args


def _pg_env() -> dict:
    env = dict(os.environ)
    if settings.DATABASES["default"].get("PASSWORD"):
        env["PGPASSWORD"] = settings.DATABASES["default"]["PASSWORD"]
    return env


def _pg_snapshot(target: Path) -> dict:
    """`pg_dump -Fc` of the very snapshot the manifest's audit head and migrations are read from: a
    REPEATABLE READ transaction exports its snapshot and pg_dump (`--snapshot`) dumps that, while the
    application goes on writing."""
    params = connection.get_connection_params()
    params.pop("prepare_threshold", None)
    raw = connection.get_new_connection(params)
    try:
        raw.autocommit = True
        cursor = raw.cursor()
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        state = _state(cursor)
        command = _pg_command("pg_dump") + [
            "-Fc",
            f"--snapshot={snapshot}",
            "-f",
            str(target),
            settings.DATABASES["default"]["NAME"],
        ]
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
        cursor.execute("COMMIT")
    finally:
        raw.close()
    if done.returncode != 0:
        raise RuntimeError(f"pg_dump a échoué : {done.stderr.strip()[:2000]}")
    return state


# --- Verifying --------------------------------------------------------------------------------------------


@dataclass
class Check:
    manifest: dict | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(directory: Path) -> Check:
    """Every file the manifest lists is there with its hash, nothing unlisted was added, and the manifest
    says what a restore needs."""
    directory = Path(directory)
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        return Check(None, [f"manifeste illisible ({MANIFEST}) : {exc}"])
    problems = []
    if manifest.get("format") != FORMAT:
        problems.append(f"format de sauvegarde inconnu : {manifest.get('format')!r}")
    for key in ("backend", "database", "migrations", "audit_head", "files"):
        if key not in manifest:
            problems.append(f"le manifeste n'indique pas « {key} »")
    if problems:
        return Check(manifest, problems)
    if manifest["database"] not in manifest["files"]:
        problems.append(f"la base ({manifest['database']}) n'est pas dans la liste des fichiers")
    for name, expected in sorted(manifest["files"].items()):
        file = directory / name
        if not file.is_file():
            problems.append(f"fichier manquant : {name}")
        elif sha256(file) != expected:
            problems.append(f"empreinte SHA-256 différente : {name}")
    listed = set(manifest["files"])
    for file in sorted(directory.rglob("*")):
        relative = file.relative_to(directory).as_posix()
        if file.is_file() and relative != MANIFEST and relative not in listed:
            problems.append(f"fichier absent du manifeste : {relative}")
    if not problems and manifest["backend"] == "sqlite":
        copy = sqlite3.connect(f"file:{directory / manifest['database']}?mode=ro", uri=True)
        try:
            state = _state(copy.cursor())
        finally:
            copy.close()
        if state["audit_head"] != manifest["audit_head"]:
            problems.append("la tête de la chaîne d'audit de la base diffère de celle du manifeste")
    return Check(manifest, problems)


# --- Restoring --------------------------------------------------------------------------------------------


def _corrupt(reason: str):
    _fail(errors.BACKUP_CORRUPT, reason=reason)


def restore(directory: Path) -> dict:
    """Restore a verified backup into the configured database, which must be empty, and its files."""
    directory = Path(directory)
    check = verify(directory)
    if not check.ok:
        _corrupt("; ".join(check.problems[:5]))
    manifest = check.manifest
    if manifest["backend"] != backend():
        _corrupt(f"sauvegarde {manifest['backend']}, base configurée {backend()}")
    if backend() == "sqlite":
        _restore_sqlite(directory / manifest["database"])
    else:
        _restore_pg(directory / manifest["database"])
    _restore_files(directory / "files")
    connection.close()
    with connection.cursor() as cursor:
        state = _state(cursor)
    if state["audit_head"] != manifest["audit_head"]:
        _corrupt("la tête de la chaîne d'audit restaurée diffère de celle du manifeste")
    return manifest


def _sqlite_target() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _restore_sqlite(source: Path) -> None:
    target = _sqlite_target()
    connection.close()
    if target.exists():
        probe = sqlite3.connect(target)
        try:
            tables = probe.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        finally:
            probe.close()
        if tables:
            raise DomainError(*errors.RESTORE_TARGET_NOT_EMPTY)
        target.unlink()
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The online backup API again, rather than a file copy: the result is a clean single file.
    source_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source_db.backup(copy)
    finally:
        copy.close()
        source_db.close()


def _restore_pg(dump: Path) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'S')"
        )
        if cursor.fetchone()[0]:
            raise DomainError(*errors.RESTORE_TARGET_NOT_EMPTY)
    connection.close()
    # Objects belong to whoever restores (the owner role, docs/architecture.md "Deployment"); run
    # `comptoir grant-app-role` afterwards, as after a migrate.
    command = _pg_command("pg_restore") + [
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "-d",
        settings.DATABASES["default"]["NAME"],
        str(dump),
    ]
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pg_restore a échoué : {done.stderr.strip()[:2000]}")


def _restore_files(files: Path) -> None:
    checkpoints = files / "audit-checkpoints.jsonl"
    target = Path(settings.AUDIT_CHECKPOINT_FILE)
    if checkpoints.exists() and not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(checkpoints, target)
    media = files / "media"
    if media.is_dir():
        shutil.copytree(media, Path(settings.MEDIA_ROOT), dirs_exist_ok=True)
        for file in media.rglob("*"):
            if file.is_file():
                restored = Path(settings.MEDIA_ROOT) / file.relative_to(media)
                if sha256(restored) != sha256(file):
                    _corrupt(f"fichier restauré différent : {file.relative_to(files)}")


# --- The scheduled job: a dated backup in BACKUP_DIR, then retention --------------------------------------

STAMP = "%Y%m%d-%H%M%S"


def scheduled(now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    root = Path(settings.BACKUP_DIR)
    root.mkdir(parents=True, exist_ok=True)
    name = "comptoir-" + now.astimezone(datetime.UTC).strftime(STAMP)
    make(root / name)
    check = verify(root / name)
    if not check.ok:
        raise RuntimeError("sauvegarde écrite mais invalide : " + "; ".join(check.problems[:5]))
    keep_days, keep_count = retention.parse_policy(settings.BACKUP_KEEP)
    existing = {}
    for folder in root.iterdir():
        if folder.is_dir() and folder.name.startswith("comptoir-") and (folder / MANIFEST).exists():
            try:
                stamp = datetime.datetime.strptime(folder.name.removeprefix("comptoir-"), STAMP)
            except ValueError:
                continue
            existing[folder.name] = stamp.replace(tzinfo=datetime.UTC)
    removed = retention.to_delete(existing, now=now, keep_days=keep_days, keep_count=keep_count)
    for old in removed:
        shutil.rmtree(root / old)
    return f"{root / name} ({len(removed)} ancienne(s) sauvegarde(s) supprimée(s))"
