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


def record(
    action: str, *, by, obj=None, object_type: str = "", object_id="", object_repr: str = "", data=None
):
    """Append one event. Must run inside the business action's transaction, after its other locks."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events are written inside the business transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    data = json.loads(canonical(data or {}))
    seq, prev_hash = _take_next_seq()
    at = timezone.now()
    actor_name = getattr(by, "username", None) or "système"
    digest = compute_hash(
        seq=seq,
        at=at,
        actor_name=actor_name,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:80],
        data=data,
        prev_hash=prev_hash,
    )
    event = AuditEvent(
        seq=seq,
        at=at,
        actor=by if getattr(by, "pk", None) else None,
        actor_name=actor_name,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:80],
        data=data,
        prev_hash=prev_hash,
        hash=digest,
    )
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
        digest = compute_hash(
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
        if digest != event.hash:
            return ChainReport(checked, False, event.seq, "contenu modifié")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and head.last_seq != checked:
        return ChainReport(checked, False, checked + 1, "fin de chaîne supprimée")
    return ChainReport(checked, True)
