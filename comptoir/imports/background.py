"""Long imports in the task worker (django-tasks, as the billing agent and the scheduled jobs), with their
progress shown on the page.

A file of more than `settings.COMPTOIR_IMPORT_BACKGROUND_ROWS` rows (5,000 by default) is tested and
imported by `comptoir db-worker` instead of inside the request: `enqueue` marks its `ImportRun` queued and
queues `imports.tasks.run_import_job`; the worker runs the very services the page runs for a small file
(`services.test_uploaded`, `services.import_uploaded`: same rules, same single transaction, same
report), then keeps the report on the run (`job_report`) for the page to show.

The progress cannot be written in the database while the import runs: the import is one transaction (all
or nothing), and on SQLite a second writer would wait for it to end. So the worker writes it to a small
JSON file under MEDIA_ROOT (`import-progress/<run>.json`, replaced atomically after each batch of 500
rows), which the web processes read; the media directory is the one already shared by the app servers
and workers for uploaded files. The file is removed once the report is kept.
"""

import json
import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.core import permissions
from comptoir.core.errors import DomainError
from comptoir.imports import errors, reading, services
from comptoir.imports.models import ImportRun
from comptoir.imports.rows import Refusal, Report

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
TEST, IMPORT = "test", "import"
# What the page shows of a report (web.views.imports reads no more than this either).
KEPT_ROWS = 200
KEPT_REFUSALS = 1000


def threshold() -> int:
    return getattr(settings, "COMPTOIR_IMPORT_BACKGROUND_ROWS", 5000)


def goes_to_background(run: ImportRun) -> bool:
    return reading.estimated_rows(bytes(run.content)) > threshold()


@transaction.atomic
def enqueue(run: ImportRun, *, action: str, by, valid_only: bool = False) -> ImportRun:
    """Queue the test (`action` test) or the import (import) of an uploaded file for the worker."""
    from comptoir.imports.tasks import run_import_job

    permissions.require(by, "data.import")
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status == ImportRun.Status.IMPORTED:
        raise DomainError(*errors.ALREADY_IMPORTED)
    if run.job_state in (QUEUED, RUNNING):
        raise DomainError(*errors.JOB_RUNNING, file=run.file_name)
    ImportRun.objects.filter(pk=run.pk).update(
        job_state=QUEUED,
        job_action=action,
        job_valid_only=valid_only,
        job_total=reading.estimated_rows(bytes(run.content)),
        job_report={},
        job_error="",
        job_by=by if getattr(by, "pk", None) else None,
    )
    run_import_job.enqueue(run.pk)
    run.refresh_from_db()
    return run


def _progress_file(run_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "import-progress" / f"{run_id}.json"


def _write_progress(run_id: int, done: int) -> None:
    path = _progress_file(run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps({"rows": done}), encoding="utf-8")
    os.replace(partial, path)


def rows_done(run: ImportRun) -> int:
    """The rows the worker has read so far (all of them once the job is done)."""
    if run.job_state == DONE:
        return run.job_total
    try:
        return int(json.loads(_progress_file(run.pk).read_text(encoding="utf-8"))["rows"])
    except (OSError, ValueError, KeyError):
        return 0


def percent(run: ImportRun) -> int:
    if run.job_state == DONE:
        return 100
    return min(99, rows_done(run) * 100 // max(run.job_total, 1))


def execute(run_id: int) -> str:
    """The worker's part: run the queued test or import, keep its report (or why it failed) on the run."""
    run = ImportRun.objects.get(pk=run_id)
    by = get_user_model().objects.filter(pk=run.job_by_id).first()
    ImportRun.objects.filter(pk=run_id).update(job_state=RUNNING)
    _write_progress(run_id, 0)
    try:
        if run.job_action == TEST:
            report = services.test_uploaded(run, by=by, progress=lambda n: _write_progress(run_id, n))
        else:
            report = services.import_uploaded(
                run, by=by, valid_only=run.job_valid_only, progress=lambda n: _write_progress(run_id, n)
            )
    except DomainError as exc:
        ImportRun.objects.filter(pk=run_id).update(job_state=FAILED, job_error=exc.message)
        _progress_file(run_id).unlink(missing_ok=True)
        return exc.message
    except Exception as exc:
        # Not a refusal but a fault (the worker's log has the traceback): the page must not wait forever.
        message = _(errors.JOB_FAILED[1]) % {"error": str(exc)[:200] or exc.__class__.__name__}
        ImportRun.objects.filter(pk=run_id).update(job_state=FAILED, job_error=message)
        _progress_file(run_id).unlink(missing_ok=True)
        raise
    ImportRun.objects.filter(pk=run_id).update(
        job_state=DONE, job_report=_stored(report), job_total=len(report.rows)
    )
    _progress_file(run_id).unlink(missing_ok=True)
    return f"{run.file_name} : {report.counts}"


def _stored(report: Report) -> dict:
    return {
        "kind": report.kind,
        "preset": report.preset,
        "file_name": report.file_name,
        "sha256": report.sha256,
        "dry_run": report.dry_run,
        "valid_only": report.valid_only,
        "imported": report.imported,
        "counts": report.counts,
        "rows": report.rows[:KEPT_ROWS],
        "row_count": len(report.rows),
        "refusals": [vars(refusal) for refusal in report.refusals[:KEPT_REFUSALS]],
        "refusal_count": len(report.refusals),
        "run_id": report.run_id,
    }


def stored_report(run: ImportRun) -> Report | None:
    """The report the worker kept, as the page shows a report made in the request."""
    data = run.job_report
    if not data:
        return None
    report = Report(
        kind=data["kind"],
        preset=data["preset"],
        file_name=data["file_name"],
        sha256=data["sha256"],
        dry_run=data["dry_run"],
        valid_only=data["valid_only"],
        imported=data["imported"],
        counts=data["counts"],
        rows=[tuple(row) for row in data["rows"]],
        refusals=[Refusal(**refusal) for refusal in data["refusals"]],
        run_id=data["run_id"],
    )
    report.row_count = data["row_count"]
    report.refusal_count = data["refusal_count"]
    return report
