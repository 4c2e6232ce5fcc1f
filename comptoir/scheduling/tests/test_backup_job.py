"""The nightly backup job: a dated, verified backup in BACKUP_DIR, and the retention policy applied."""

import datetime

import pytest
from django.utils import timezone

from comptoir.scheduling import backup


@pytest.mark.django_db(transaction=True)
def test_the_daily_backup_writes_a_verified_backup_and_lets_old_ones_go(settings, tmp_path, boss):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_KEEP = "2"
    now = timezone.now()
    days = [now - datetime.timedelta(days=n) for n in (3, 2, 1, 0)]

    for day in days:
        backup.scheduled(now=day)

    kept = sorted(path.name for path in settings.BACKUP_DIR.iterdir())
    assert kept == ["comptoir-" + day.astimezone(datetime.UTC).strftime(backup.STAMP) for day in days[-2:]]
    for name in kept:
        assert backup.verify(settings.BACKUP_DIR / name).ok
        # Reading the database to verify it leaves nothing beside it (no -wal/-shm files): still intact.
        assert backup.verify(settings.BACKUP_DIR / name).ok


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_never_written_over_another(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    backup.make(tmp_path / "b")
    with pytest.raises(backup.DomainError) as refused:
        backup.make(tmp_path / "b")
    assert refused.value.code == "backup_dir_not_empty"


def test_a_backup_of_a_wal_database_file_stays_intact_when_verified_again(tmp_path):
    """The app's SQLite file runs in WAL mode; its backup must be one self-contained file, or reading it
    (verify-backup) leaves -wal/-shm files beside it that the manifest does not list."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"COMPTOIR_VAR_DIR": str(tmp_path)}

    def comptoir(*args):
        return subprocess.run(
            [sys.executable, "-c", "from comptoir.cli import main; main()", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert comptoir("migrate", "-v0").returncode == 0
    assert comptoir("backup", "--out", str(tmp_path / "b")).returncode == 0
    for _ in range(2):
        done = comptoir("verify-backup", str(tmp_path / "b"))
        assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["db.sqlite3", "files", "manifest.json"]
