"""The audit trail: one event per business action, chained and sealed so tampering shows.

Each event's hash is an HMAC-SHA256, under a key kept outside the database (`audit_key.py`), of its
content and the previous event's hash. `verify_chain()` recomputes the chain and reports every event
that no longer matches (edited, deleted, rewritten without the key), and compares the chain's end with
the signed checkpoints exported outside the database (`checkpoints.py`), which is what reveals a
truncated tail. The database refuses UPDATE/DELETE of events and moving the chain head backwards
(migration triggers); `integrity.verify()` adds the documents' cross-check against their events.
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from comptoir.core import audit_key, rows
from comptoir.core.models import AuditChainHead, AuditEvent


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=_json_default, ensure_ascii=False)


def compute_hash(
    *, seq, at, actor_name, action, object_type, object_id, object_repr, data, prev_hash, key=None
) -> str:
    """The event's hash: HMAC-SHA256 under the audit key (`audit_key.AuditKey`), or plain SHA-256 for
    the events written before the chain was keyed (`key=None`)."""
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
    if key is not None:
        return key.mac(payload)
    return hashlib.sha256(payload.encode()).hexdigest()


GENESIS_HASH = "0" * 64

# The chain head (one row) holds the last sequence number and hash. Moving it takes the next number and
# locks the row until the business transaction ends, which orders concurrent events. The previous hash
# must come from the head row, never from the log: under READ COMMITTED an UPDATE that waited for a
# concurrent transaction re-reads the row it updates at its latest committed version, but any other
# read in the statement (a subquery on the log) still sees the statement's older snapshot and would
# miss the event committed a moment before, chaining the new one to a stale hash.
_HEAD = AuditChainHead._meta.db_table
_EVENT = AuditEvent._meta.db_table


def event_hash(event: AuditEvent, key=None) -> str:
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
        key=key,
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


# PostgreSQL computes the HMAC itself (from sha256() and the key's two padded blocks, which are bound as
# parameters and never stored), so moving the head, sealing the event and appending it are one
# statement: the SET expressions read the head row's latest committed version, the new hash is written
# into the head in the same UPDATE, and the INSERT takes both hashes from what the UPDATE returns.
_APPEND_SQL = (
    f'WITH "head" AS (UPDATE "{_HEAD}" SET "last_seq" = "last_seq" + 1, "prev_hash" = "last_hash", '
    '"last_hash" = encode(sha256(%s || sha256(%s || convert_to('
    "%s || \"last_hash\" || %s || (\"last_seq\" + 1)::text || %s, 'UTF8'))), 'hex') "
    'WHERE "id" = 1 RETURNING "last_seq", "prev_hash", "last_hash") '
    f'INSERT INTO "{_EVENT}" ("seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id", '
    '"object_repr", "data", "prev_hash", "hash", "key_id") '
    'SELECT "last_seq", %s, %s, %s, %s, %s, %s, %s, %s, "prev_hash", "last_hash", %s '
    'FROM "head" RETURNING "id", "seq", "prev_hash", "hash"'
)

# SQLite serialises writers (BEGIN IMMEDIATE), so reading the head then writing it back is safe there.
_MOVE_HEAD_SQL = (
    f'UPDATE "{_HEAD}" SET "last_seq" = "last_seq" + 1 WHERE "id" = 1 RETURNING "last_seq", "last_hash"'
)
_SEAL_HEAD_SQL = f'UPDATE "{_HEAD}" SET "prev_hash" = "last_hash", "last_hash" = %s WHERE "id" = 1'

_APPENDED_FIELDS = [
    AuditEvent._meta.get_field(name)
    for name in ("at", "actor", "actor_name", "action", "object_type", "object_id", "object_repr", "data")
]


def _ensure_head() -> None:
    # After a flush (tests) the row is gone; ignore_conflicts makes a race between two first events harmless.
    AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)


def _append_in_sql(event: AuditEvent, key, connection) -> bool:
    values = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in _APPENDED_FIELDS]
    outer, inner = key.pads()
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL, [outer, inner, *_hash_parts(event), *values, key.key_id])
        row = cursor.fetchone()
    if row is None:
        return False
    event.pk, event.seq, event.prev_hash, event.hash = row
    event.key_id = key.key_id
    event._state.adding = False
    event._state.db = connection.alias
    return True


def _append_in_python(event: AuditEvent, key, connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_MOVE_HEAD_SQL)
        row = cursor.fetchone()
        if row is None:
            return False
        event.seq, event.prev_hash = int(row[0]), row[1]
        event.key_id = key.key_id
        event.hash = event_hash(event, key)
        rows.insert_one(event)
        cursor.execute(_SEAL_HEAD_SQL, [event.hash])
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
    key = audit_key.current()
    append = _append_in_sql if connection.vendor == "postgresql" else _append_in_python
    if not append(event, key, connection):
        _ensure_head()
        append(event, key, connection)
    return event


# --- Verification -------------------------------------------------------------------------------


@dataclass
class Problem:
    """One break found by verification: a range of events, a checkpoint or a document."""

    reason: str
    seq_from: int | None = None
    seq_to: int | None = None
    document: str = ""

    def __str__(self):
        where = ""
        if self.seq_from is not None:
            where = f"événement n° {self.seq_from}"
            if self.seq_to is not None and self.seq_to != self.seq_from:
                where = f"événements n° {self.seq_from} à {self.seq_to}"
        elif self.document:
            where = self.document
        return f"{where} : {self.reason}" if where else self.reason


@dataclass
class ChainReport:
    checked: int
    ok: bool
    broken_at_seq: int | None = None
    reason: str = ""
    problems: list[Problem] = field(default_factory=list)
    checkpoints: int = 0


CHANGED = "contenu modifié (l'empreinte ne correspond plus)"
UNLINKED = "chaînage rompu (l'empreinte précédente ne correspond pas)"
UNSEALED = "événement non scellé par la clé d'audit (réécrit sans la clé ?)"
UNKNOWN_KEY = "scellé par une clé inconnue"
NO_KEY = "scellé, mais la clé d'audit est introuvable : impossible de vérifier"


class _Collector:
    """Problems in seq order; consecutive events with the same reason are reported as one range."""

    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, seq: int, reason: str, last: int | None = None) -> None:
        last = seq if last is None else last
        previous = self.problems[-1] if self.problems else None
        if previous and previous.reason == reason and previous.seq_to == seq - 1:
            previous.seq_to = last
        else:
            self.problems.append(Problem(reason, seq, last))


def verify_chain(batch_size: int = 2000, checkpoints=()) -> ChainReport:
    """Recompute the whole chain and report every break (not only the first), then compare the end of
    the chain with its head and with the checkpoints kept outside the database (`checkpoints.py`)."""
    key = audit_key.configured()
    expected_at = {cp.seq: cp for cp in checkpoints}
    found = _Collector()
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last = None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            found.add(expected_seq, "événements supprimés", event.seq - 1)
        elif event.prev_hash != prev_hash:
            found.add(event.seq, UNLINKED)
        if event.key_id == "":
            reason = UNSEALED if key is not None and event.seq >= key.since else None
            if reason is None and event_hash(event) != event.hash:
                reason = CHANGED
        elif key is None:
            reason = NO_KEY
        elif event.key_id != key.key_id:
            reason = UNKNOWN_KEY
        else:
            reason = CHANGED if event_hash(event, key) != event.hash else None
        if reason:
            found.add(event.seq, reason)
        checkpoint = expected_at.pop(event.seq, None)
        if checkpoint is not None and checkpoint.hash != event.hash:
            found.problems.append(
                Problem(
                    f"réécrit depuis le point de contrôle du {checkpoint.when} (empreinte différente)",
                    event.seq,
                )
            )
        prev_hash = event.hash
        expected_seq = event.seq + 1
        checked += 1
        last = event
    for checkpoint in sorted(expected_at.values(), key=lambda cp: cp.seq):
        found.problems.append(
            Problem(
                f"absent, alors que le point de contrôle du {checkpoint.when} l'atteste : fin de journal "
                "supprimée (troncature)",
                checkpoint.seq,
            )
        )
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq = last.seq if last else 0
    if head and head.last_seq > last_seq:
        found.problems.append(Problem("fin de chaîne supprimée", last_seq + 1, head.last_seq))
    elif head and last and (head.last_seq < last_seq or head.last_hash != last.hash):
        found.problems.append(Problem("tête de chaîne incohérente avec le dernier événement", last_seq))
    problems = found.problems
    first = problems[0] if problems else None
    return ChainReport(
        checked,
        not problems,
        first.seq_from if first else None,
        first.reason if first else "",
        problems,
        len(checkpoints),
    )
