"""Probes, request ids and the 500 page (issue 18, point 6)."""

import datetime
import json
import logging

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import timezone

from comptoir.core import request_log
from comptoir.scheduling.services import beat

pytestmark = pytest.mark.django_db


def broken_view(request):
    logging.getLogger("comptoir.test").warning("about to fail")
    raise ZeroDivisionError("secret internals: account 411000 balance")


def fine_view(request):
    return HttpResponse(request_log.current())


urlpatterns = [
    path("casse/", broken_view),
    path("va-bien/", fine_view),
    path("", include("comptoir.urls")),
]
handler500 = "comptoir.core.request_log.server_error"


def test_readyz_says_ready_only_when_the_worker_was_seen_recently():
    probe = Client(HTTP_HOST="10.0.0.9")  # not in ALLOWED_HOSTS: an orchestrator's probe
    assert probe.get("/healthz").content == b"ok\n"

    never = probe.get("/readyz")
    assert never.status_code == 503 and json.loads(never.content)["worker"] == "never seen"

    beat("worker", now=timezone.now() - datetime.timedelta(minutes=20))
    silent = probe.get("/readyz")
    assert silent.status_code == 503 and json.loads(silent.content)["worker"] == "silent"

    beat("worker")
    ready = probe.get("/readyz")
    assert ready.status_code == 200
    assert json.loads(ready.content) | {"worker_seen_seconds_ago": 0} == {
        "ready": True,
        "database": "ok",
        "migrations": "ok",
        "worker": "ok",
        "worker_seen_seconds_ago": 0,
    }
    assert ready["Cache-Control"] == "no-store"


def test_readyz_reports_a_migration_not_applied_and_stops_reading_the_graph_once_all_are(monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comptoir.web import health

    monkeypatch.setattr(health, "_migrated_aliases", set())
    beat("worker")
    probe = Client(HTTP_HOST="10.0.0.9")
    with connection.cursor() as cursor:  # as if the code were deployed before `comptoir migrate` ran
        cursor.execute("DELETE FROM django_migrations WHERE app = 'mailing'")
    behind = json.loads(probe.get("/readyz").content)
    assert behind["ready"] is False and behind["migrations"].endswith("not applied")

    from django.core.management import call_command

    call_command("migrate", "mailing", fake=True, verbosity=0)
    assert json.loads(probe.get("/readyz").content)["migrations"] == "ok"
    with CaptureQueriesContext(connection) as queries:
        again = probe.get("/readyz")
    assert again.status_code == 200
    assert not [q for q in queries.captured_queries if "django_migrations" in q["sql"]]


@override_settings(ROOT_URLCONF=__name__)
def test_the_500_page_gives_the_request_id_and_never_the_trace(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.WARNING):
        response = client.get("/casse/", HTTP_X_REQUEST_ID="req-0123456789")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Une erreur inattendue est survenue" in page
    assert "req-0123456789" in page and response["X-Request-ID"] == "req-0123456789"
    assert "ZeroDivisionError" not in page and "411000" not in page and "Traceback" not in page
    # The trace is in the log, under the same id as the page shows.
    failure = [r for r in caplog.records if r.name == "django.request"]
    assert failure and failure[0].exc_info and failure[0].request_id == "req-0123456789"
    assert [r.request_id for r in caplog.records if r.name == "comptoir.test"] == ["req-0123456789"]


@override_settings(ROOT_URLCONF=__name__)
def test_a_request_id_is_made_when_the_proxy_sent_none_or_a_strange_one():
    client = Client()
    made = client.get("/va-bien/")
    assert made.content.decode() == made["X-Request-ID"] and len(made["X-Request-ID"]) == 32
    odd = client.get("/va-bien/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert "<" not in odd["X-Request-ID"] and odd.content.decode() == odd["X-Request-ID"]
    assert request_log.current() == "-"  # nothing leaks out of the request
