"""The audit trail: one event per business action, chained by SHA-256 so tampering shows.

Each event's hash covers its content and the previous event's hash. `verify_chain()` recomputes the
chain and reports the first row that no longer matches (a row edited or deleted behind the
application's back). PostgreSQL additionally refuses UPDATE/DELETE on the table (migration trigger).
"""

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from comptoir.core import rows
from comptoir.core.models import AuditChainHead, AuditEvent


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=_json_default, ensure_ascii=False)


def compute_hash(*, seq, at, actor_name, action, object_type, object_id, object_repr, data, prev_hash) -> str:
    payload = canonical(
        {
            "seq": seq,
            "at": at.isoformat(),
            "actor": actor_name,
            "action": action,
            "type": object_type,
            "id": str(object_id),
            "repr": object_repr,
            "data": data,
            "prev": prev_hash,
        }
    )
    return hashlib.sha256(payload.encode()).hexdigest()


GENESIS_HASH = "0" * 64

# One statement moves the head, locks it until the business transaction ends (which orders concurrent
# events) and reads the previous event's hash: UPDATE … RETURNING (PostgreSQL, SQLite ≥ 3.35).
_HEAD = AuditChainHead._meta.db_table
_NEXT_SEQ_SQL = (
    f'UPDATE "{_HEAD}" SET "last_seq" = "last_seq" + 1 WHERE "id" = 1 RETURNING "last_seq", '
    f'(SELECT "hash" FROM "{AuditEvent._meta.db_table}" WHERE "seq" = "{_HEAD}"."last_seq" - 1)'
)


def _take_next_seq() -> tuple[int, str]:
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(_NEXT_SEQ_SQL)
        row = cursor.fetchone()
        if row is None:
            # First event ever: ignore_conflicts makes a race between two first events harmless.
            AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
            cursor.execute(_NEXT_SEQ_SQL)
            row = cursor.fetchone()
    return int(row[0]), row[1] or GENESIS_HASH


def event_hash(event: AuditEvent) -> str:
    """`compute_hash` of a stored or about-to-be-stored event."""
    return compute_hash(
        seq=event.seq,
        at=event.at,
        actor_name=event.actor_name,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        data=event.data,
        prev_hash=event.prev_hash,
    )


def _hash_parts(event: AuditEvent) -> tuple[str, str, str]:
    """The canonical payload of `compute_hash` cut around the two values only the chain head knows:
    payload = head + prev_hash + middle + str(seq) + tail. Keys are sorted, so "prev" and "seq" sit
    between fixed fragments; each fragment is `canonical()`'s own output, so the bytes are the same."""
    before_prev = canonical(
        {
            "action": event.action,
            "actor": event.actor_name,
            "at": event.at.isoformat(),
            "data": event.data,
            "id": str(event.object_id),
        }
    )
    head = before_prev[:-1] + ',"prev":"'
    middle = '","repr":' + canonical(event.object_repr) + ',"seq":'
    tail = ',"type":' + canonical(event.object_type) + "}"
    return head, middle, tail


# PostgreSQL computes the hash itself, so moving the head, reading the previous hash and appending the
# event are one statement (one round trip instead of two on every business action).
_EVENT = AuditEvent._meta.db_table
_APPEND_SQL = (
    f'WITH "head" ("seq", "prev") AS ({_NEXT_SEQ_SQL}), '
    '"link" AS (SELECT "seq", COALESCE("prev", %s) AS "prev" FROM "head") '
    f'INSERT INTO "{_EVENT}" ("seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id", '
    '"object_repr", "data", "prev_hash", "hash") '
    'SELECT "seq", %s, %s, %s, %s, %s, %s, %s, %s, "prev", '
    "encode(sha256(convert_to(%s || \"prev\" || %s || \"seq\"::text || %s, 'UTF8')), 'hex') "
    'FROM "link" RETURNING "id", "seq", "prev_hash", "hash"'
)


_APPENDED_FIELDS = [
    AuditEvent._meta.get_field(name)
    for name in ("at", "actor", "actor_name", "action", "object_type", "object_id", "object_repr", "data")
]


def _append_in_sql(event: AuditEvent, connection) -> bool:
    values = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in _APPENDED_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL, [GENESIS_HASH, *values, *_hash_parts(event)])
        row = cursor.fetchone()
    if row is None:
        return False  # no chain head yet: the first event takes the general path
    event.pk, event.seq, event.prev_hash, event.hash = row
    event._state.adding = False
    event._state.db = connection.alias
    return True


def record(
    action: str, *, by, obj=None, object_type: str = "", object_id="", object_repr: str = "", data=None
):
    """Append one event. Must run inside the business action's transaction, after its other locks."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit events are written inside the business transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    actor_name = getattr(by, "username", None) or "système"
    event = AuditEvent(
        at=timezone.now(),
        actor=by if getattr(by, "pk", None) else None,
        actor_name=actor_name,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:80],
        data=json.loads(canonical(data or {})),
    )
    if connection.vendor == "postgresql" and _append_in_sql(event, connection):
        return event
    event.seq, event.prev_hash = _take_next_seq()
    event.hash = event_hash(event)
    rows.insert_one(event)
    return event


@dataclass
class ChainReport:
    checked: int
    ok: bool
    broken_at_seq: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 2000) -> ChainReport:
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return ChainReport(checked, False, expected_seq, "événement manquant (suppression)")
        if event.prev_hash != prev_hash:
            return ChainReport(checked, False, event.seq, "chaînage rompu")
        if event_hash(event) != event.hash:
            return ChainReport(checked, False, event.seq, "contenu modifié")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and head.last_seq != checked:
        return ChainReport(checked, False, checked + 1, "fin de chaîne supprimée")
    return ChainReport(checked, True)
