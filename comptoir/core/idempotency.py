"""A request carried out once, however many times it is sent.

A client names a request with a key of its own (the API's `Idempotency-Key` header, the one-time token
of a web form). The key is claimed by inserting a row (user, key) in the same transaction as the
business action it guards, before that action runs:

- the first request inserts the row, does its work and keeps its answer in the row (`remember`); if it
  fails, its transaction rolls back and takes the row with it, so the key is free again;
- a request sent meanwhile with the same key waits on that insert (PostgreSQL: the unique index makes it
  wait for the first transaction; SQLite: IMMEDIATE transactions serialise writers) until the first one
  commits, then reads the first answer and gives it again: never a second document;
- the same key with another request (another method, path or body: `fingerprint`) is refused with 409
  `idempotency_key_reused`.

A key is kept for KEEP_FOR. `purge` deletes older keys in one indexed DELETE; it runs after a commit
that used a key, at most once every PURGE_EVERY per process, and an expired key not purged yet counts as
free. Nothing here runs for a request without a key.
"""

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from comptoir.core.errors import Conflict
from comptoir.core.models import IdempotencyKey

KEEP_FOR = timedelta(hours=24)
PURGE_EVERY = timedelta(minutes=10)
MAX_KEY_LENGTH = 255

KEY_REUSED = (
    "idempotency_key_reused",
    N_(
        "Cette clé d'idempotence a déjà servi pour une autre requête : envoyez une nouvelle clé pour une "
        "nouvelle opération."
    ),
)


def valid_key(key: str) -> bool:
    """1 to 255 printable ASCII characters, no space at either end (as Stripe's keys, a UUID…)."""
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable() and key == key.strip()


def _canonical(body: bytes, content_type: str) -> bytes:
    media = content_type.partition(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        try:
            document = json.loads(body, parse_float=Decimal)
        except (ValueError, RecursionError):
            return body
        # The same JSON however it is spaced and its keys ordered; numbers kept as written (as text).
        return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()
    return body


def fingerprint(method: str, path: str, body: bytes = b"", content_type: str = "") -> str:
    """SHA-256 of a request: its method, its path (with the query string) and its body."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), _canonical(body, content_type)):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Answer:
    """The first answer to a request, given again to the same request sent again."""

    status: int
    body: str


def _insert_sql(connection) -> str:
    """INSERT … ON CONFLICT DO NOTHING RETURNING (PostgreSQL, SQLite ≥ 3.35): one statement that claims
    the key or says it was taken, waiting for the transaction that took it when it is still running."""
    quote = connection.ops.quote_name
    meta = IdempotencyKey._meta
    column = {
        name: quote(meta.get_field(name).column)
        for name in ("id", "user", "key", "fingerprint", "status", "body", "created_at")
    }
    return (
        f"INSERT INTO {quote(meta.db_table)} "
        f"({column['user']}, {column['key']}, {column['fingerprint']}, {column['created_at']}, "
        f"{column['status']}, {column['body']}) VALUES (%s, %s, %s, %s, 0, '') "
        f"ON CONFLICT ({column['user']}, {column['key']}) DO NOTHING RETURNING {column['id']}"
    )


def claim(user, key: str, request_fingerprint: str) -> Answer | None:
    """Inside the transaction of the action the key guards, before that action: None when this request
    now holds the key (carry on, then `remember` the answer), or the answer of the request that held it
    first. The same key with another request raises Conflict `idempotency_key_reused`."""
    connection = connections[router.db_for_write(IdempotencyKey)]
    if not connection.in_atomic_block:
        raise RuntimeError("an idempotency key is claimed inside the transaction of the action it guards")
    now = timezone.now()
    created_at = IdempotencyKey._meta.get_field("created_at").get_db_prep_save(now, connection)
    for _attempt in range(3):
        with connection.cursor() as cursor:
            cursor.execute(_insert_sql(connection), [user.pk, key, request_fingerprint, created_at])
            if cursor.fetchone() is not None:
                return None
        first = IdempotencyKey.objects.filter(user=user, key=key).first()
        if first is None:
            continue  # purged since the insert saw it: claim it again
        if first.created_at < now - KEEP_FOR:
            IdempotencyKey.objects.filter(pk=first.pk).delete()
            continue
        if first.fingerprint != request_fingerprint:
            code, message = KEY_REUSED
            raise Conflict(code, message)
        return Answer(first.status, first.body)
    raise RuntimeError(f"idempotency key {key!r} could not be claimed")


def remember(user, key: str, status: int, body: str) -> None:
    """Keep the answer with the key this request holds, in the transaction of its action."""
    IdempotencyKey.objects.filter(user=user, key=key).update(status=status, body=body)
    transaction.on_commit(_purge_now_and_then, robust=True)


def purge(now=None) -> int:
    """Delete the keys older than KEEP_FOR; how many were deleted."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# The monotonic clock reading of the last purge in this process (None: not yet).
_last_purge: dict[str, float | None] = {"at": None}


def _purge_now_and_then() -> None:
    now = time.monotonic()
    last = _last_purge["at"]
    if last is None or now - last >= PURGE_EVERY.total_seconds():
        _last_purge["at"] = now
        purge()
