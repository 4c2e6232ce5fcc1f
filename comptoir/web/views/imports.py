"""Import of a company's existing data (Paramètres › Import): upload a file, read the test run's report,
then import all or nothing, or the valid rows only, and download the refused rows to fix them.

Direction and administrators (`data.import`): an import writes thousands of cards at once."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from comptoir.accounting.opening import agreement as opening_agreement
from comptoir.core.errors import DomainError
from comptoir.imports import background, presets, rows, services, template_files
from comptoir.imports.models import ImportRun
from comptoir.imports.report import headline, refusal_line
from comptoir.web.views.common import action, param, requires

# A report of 100,000 rows is not read on a page: its refusals and first rows are, the rest in the file.
SHOWN_ROWS = 200
SHOWN_REFUSALS = 1000

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request, **context):
    return render(
        request,
        "web/settings/imports.html",
        {
            "kinds": ImportRun.Kind.choices,
            # The open invoices imported against the 411 of the opening balances (accounting.opening).
            "opening": opening_agreement(),
            "presets": [(p.name, p.label) for p in presets.PRESETS.values()],
            "runs": ImportRun.objects.filter(status=ImportRun.Status.IMPORTED).select_related("created_by")[
                :20
            ],
            **context,
        },
    )


def _report_context(report, run=None):
    # A report kept by the worker holds only what is shown; it says how many there were in all.
    row_count = getattr(report, "row_count", len(report.rows))
    refusal_count = getattr(report, "refusal_count", len(report.refusals))
    return {
        "report": report,
        "run": run,
        "headline": headline(report),
        "refusal_lines": [refusal_line(r) for r in report.refusals[:SHOWN_REFUSALS]],
        "refusals": report.refusals[:SHOWN_REFUSALS],
        "more_refusals": max(0, refusal_count - SHOWN_REFUSALS),
        "rows": [(row, rows.STATUS_LABELS[status], key) for row, status, key in report.rows[:SHOWN_ROWS]],
        "more_rows": max(0, row_count - SHOWN_ROWS),
    }


@requires("data.import")
def imports_page(request):
    # ?kind=customers: the home's first-steps card opens the page on the data to bring in.
    return _page(request, kind=param(request.GET, "kind", 20))


@action("data.import")
def imports_test(request):
    kind = param(request.POST, "kind", 20)
    preset = param(request.POST, "preset", 20) or "comptoir"
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, error=_("Choisissez le fichier à importer."), kind=kind, preset=preset)
    try:
        run = services.upload(kind, upload.read(), file_name=upload.name, by=request.user, preset=preset)
        if background.goes_to_background(run):
            background.enqueue(run, action=background.TEST, by=request.user)
            return redirect("web:imports_job", pk=run.pk)
        report = services.test_uploaded(run, by=request.user)
    except DomainError as exc:
        return _page(request, error=exc.message, kind=kind, preset=preset)
    return _page(request, kind=kind, preset=preset, **_report_context(report, run))


@action("data.import")
def imports_confirm(request, pk):
    run = get_object_or_404(ImportRun, pk=pk)
    valid_only = request.POST.get("valid_only") == "1"
    try:
        if background.goes_to_background(run):
            background.enqueue(run, action=background.IMPORT, by=request.user, valid_only=valid_only)
            return redirect("web:imports_job", pk=run.pk)
        report = services.import_uploaded(run, by=request.user, valid_only=valid_only)
    except DomainError as exc:
        return _page(request, error=exc.message)
    run.refresh_from_db()
    return _page(request, **_report_context(report, run))


@requires("data.import")
def imports_job(request, pk):
    """A long file in the worker: its progress bar while it runs, its report once done."""
    run = get_object_or_404(ImportRun, pk=pk)
    if run.job_state == background.DONE:
        return _page(
            request, kind=run.kind, preset=run.preset, **_report_context(background.stored_report(run), run)
        )
    if run.job_state == background.FAILED:
        return _page(request, error=run.job_error, kind=run.kind, preset=run.preset)
    return render(request, "web/settings/import_job.html", _job_context(run))


@requires("data.import")
def imports_job_progress(request, pk):
    """The progress bar alone, polled by htmx; once the job has ended, the page itself (HX-Redirect)."""
    run = get_object_or_404(ImportRun, pk=pk)
    if run.job_state in (background.DONE, background.FAILED):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("web:imports_job", args=[run.pk])
        return response
    return render(request, "web/settings/_import_progress.html", _job_context(run))


def _job_context(run) -> dict:
    return {
        "run": run,
        "done": background.rows_done(run),
        "percent": background.percent(run),
        "testing": run.job_action == background.TEST,
    }


@requires("data.import")
def imports_refused(request, pk):
    run = get_object_or_404(ImportRun, pk=pk, status=ImportRun.Status.IMPORTED)
    response = HttpResponse(run.refused_rows.encode("utf-8"), content_type="text/csv; charset=utf-8")
    stem = run.file_name.rsplit(".", 1)[0]
    response["Content-Disposition"] = f'attachment; filename="{stem}-refus.csv"'
    return response


@requires("data.import")
def imports_template(request, kind, fmt):
    if kind not in presets.KINDS or fmt not in ("csv", "xlsx"):
        return redirect("web:imports")
    if fmt == "csv":
        response = HttpResponse(template_files.template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(template_files.template_xlsx(kind), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="modele-comptoir-{kind}.{fmt}"'
    return response


@action("data.export")
def export_all(request):
    """Everything the company has in Comptoir as one zip (CSV per table and the archived documents).

    Written to a temporary file first (the zip can be large), then sent; the service audits it."""
    import datetime
    import tempfile

    from django.http import FileResponse

    from comptoir.imports.full_export import export_all_data

    spool = tempfile.TemporaryFile()
    try:
        export_all_data(spool, by=request.user)
    except DomainError as exc:
        spool.close()
        messages.error(request, exc.message)
        return redirect("web:settings_index")
    spool.seek(0)
    name = f"comptoir-export-{datetime.date.today():%Y-%m-%d}.zip"
    return FileResponse(spool, as_attachment=True, filename=name, content_type="application/zip")
