"""Health probes for a load balancer, an orchestrator or a monitoring check.

- `/healthz`: the process answers (no database touched): 200 "ok".
- `/readyz`: ready to serve: the database answers, every migration is applied, and the task worker was
  seen recently (it beats when it runs a job; the scheduler pings it every minute). 200 with the details
  as JSON, or 503 with the same JSON saying what is wrong.

Answered by a middleware placed first, so a probe gets through whatever Host header it sends (an
orchestrator asks by the container's address, which ALLOWED_HOSTS does not list), without a session,
a redirect to HTTPS or a sign-in. They reveal nothing but these states."""

import json

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse

PATHS = ("/healthz", "/readyz")

# Once this process has seen every one of its migrations applied, they stay applied: new migrations come
# with new code, hence a new process. Loading the migration graph costs tens of milliseconds of disk and
# CPU, too much for a probe asked every few seconds, so only the negative answer is asked again.
_migrated_aliases: set[str] = set()


def readiness() -> tuple[bool, dict]:
    state: dict = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        state["database"] = "ok"
    except DatabaseError as exc:
        return False, {"database": f"unreachable: {type(exc).__name__}"}
    state["migrations"] = _migration_state()
    from comptoir.scheduling.selectors import worker_heartbeat_age

    age = worker_heartbeat_age("worker")
    limit = settings.READY_WORKER_SECONDS
    state["worker"] = "never seen" if age is None else ("ok" if age <= limit else "silent")
    state["worker_seen_seconds_ago"] = None if age is None else round(age)
    ready = state["migrations"] == "ok" and state["worker"] == "ok"
    return ready, state


def _migration_state() -> str:
    if connection.alias in _migrated_aliases:
        return "ok"
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return f"{len(pending)} not applied"
    _migrated_aliases.add(connection.alias)
    return "ok"


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if path not in PATHS or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if path == "/healthz":
            response = HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
        else:
            ready, state = readiness()
            response = HttpResponse(
                json.dumps({"ready": ready, **state}),
                content_type="application/json",
                status=200 if ready else 503,
            )
        response["Cache-Control"] = "no-store"
        return response
