"""A long file is tested and imported by the task worker (`comptoir db-worker`), with a progress bar on the
page polled by htmx, and its report shown once done; a short file stays in the request."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from comptoir.core.permissions import Role
from comptoir.core.testing import make_company, make_user
from comptoir.imports import reading
from comptoir.imports.models import ImportRun
from comptoir.imports.tests.files import csv_bytes
from comptoir.parties.models import Customer
from comptoir.web.tests.clients import client_for, text_of

# The worker closes its database connection between tasks, as the agent's worker test explains: no
# transaction rolled back at the end, the chart of accounts seeded again around the flush.
pytestmark = pytest.mark.django_db(transaction=True)
HEADER = ["Code client", "Raison sociale", "SIREN", "Ville", "E-mail"]


def _seed_chart_of_accounts():
    import_module("comptoir.accounting.migrations.0002_seed_chart_and_immutability").seed(apps, None)


@pytest.fixture(scope="module", autouse=True)
def _chart_of_accounts_back_after_the_flush(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _seed_chart_of_accounts()


@pytest.fixture
def boss(db, settings, tmp_path):
    settings.COMPTOIR_IMPORT_BACKGROUND_ROWS = 20
    settings.MEDIA_ROOT = tmp_path
    _seed_chart_of_accounts()
    make_company(make_user("admin", Role.ADMIN))
    return make_user("direction", Role.DIRECTION)


def customers_file(count: int) -> bytes:
    rows = [[f"C-{n:04d}", f"Client {n} SARL", "", "Lyon", f"compta{n}@client.fr"] for n in range(count)]
    return csv_bytes([HEADER, *rows])


def _upload(client, content: bytes, name="clients.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/parametres/import/tester/",
        {"kind": "customers", "preset": "comptoir", "file": SimpleUploadedFile(name, content)},
    )


def _work():
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def test_a_long_file_is_tested_then_imported_by_the_worker_with_its_progress_shown(boss):
    client = client_for(boss)
    response = _upload(client, customers_file(60))
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/parametres/import/{run.pk}/suivi/"
    page = text_of(client.get(response["Location"]))
    assert "En attente du serveur de tâches" in page and 'hx-trigger="every 1s"' in page
    assert "<progress" in page and "<script>" not in page.split("</head>")[1]
    assert DBTaskResult.objects.count() == 1

    _work()

    progress = client.get(f"/parametres/import/{run.pk}/progression/")
    assert progress.status_code == 204 and progress["HX-Redirect"] == f"/parametres/import/{run.pk}/suivi/"
    report = text_of(client.get(f"/parametres/import/{run.pk}/suivi/"))
    assert "Test de « clients.csv » : 60 créé(s)" in report and "Rien n'a été enregistré" in report
    assert not Customer.objects.filter(code__startswith="C-").exists()

    confirm = client.post(f"/parametres/import/{run.pk}/importer/")
    assert confirm["Location"] == f"/parametres/import/{run.pk}/suivi/"
    _work()
    report = text_of(client.get(confirm["Location"]))
    assert "Import de « clients.csv » : 60 créé(s)" in report
    assert Customer.objects.filter(code__startswith="C-").count() == 60
    assert ImportRun.objects.get().status == ImportRun.Status.IMPORTED


def test_the_progress_bar_counts_the_rows_the_worker_has_read(boss):
    from comptoir.imports import background

    client = client_for(boss)
    _upload(client, customers_file(30))
    run = ImportRun.objects.get()
    assert run.job_state == background.QUEUED and run.job_total == 31  # the header line too
    background._write_progress(run.pk, 15)  # as the worker does after each batch
    ImportRun.objects.filter(pk=run.pk).update(job_state=background.RUNNING)
    page = text_of(client.get(f"/parametres/import/{run.pk}/progression/"))
    assert "Test en cours : 15 lignes lues sur environ 31." in page
    assert 'value="48"' in page


def test_a_refused_file_in_the_worker_comes_back_with_its_reason(boss):
    client = client_for(boss)
    content = csv_bytes([["Nom", "Ville"], *[[f"X{n}", "Lyon"] for n in range(40)]])
    _upload(client, content)
    _work()
    run = ImportRun.objects.get()
    assert run.job_state == "failed"
    page = text_of(client.get(f"/parametres/import/{run.pk}/suivi/"))
    assert run.job_error.startswith("Colonne") and run.job_error in page


def test_a_short_file_stays_in_the_request(boss):
    page = text_of(_upload(client_for(boss), customers_file(5)))
    assert "Test de « clients.csv » : 5 créé(s)" in page
    assert DBTaskResult.objects.count() == 0


def test_the_rows_of_a_file_are_estimated_cheaply():
    from comptoir.imports.tests.files import xlsx_bytes

    assert reading.estimated_rows(b"a;b\n1;2\n3;4\n") == 3
    assert reading.estimated_rows(xlsx_bytes([["a", "b"], ["1", "2"], ["3", "4"]])) == 3
