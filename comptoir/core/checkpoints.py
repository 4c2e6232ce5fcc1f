"""Signed checkpoints of the audit chain, kept outside the database.

A keyed chain stops anyone without the key from rewriting events, but not from cutting the chain's
tail (delete the last events, move the head back): what is left is still a valid chain. A checkpoint
records the chain's end (sequence number and hash) at a moment, signed with the audit key, in a file
outside the database (`COMPTOIR_AUDIT_CHECKPOINTS`, default `var/audit-checkpoints.jsonl`), and can be
mailed to the accountant or kept with the backups. `verify-audit` reads them: an event a checkpoint
attests that no longer exists is a truncation; one whose hash differs is a rewrite.

`comptoir audit-checkpoint` writes one (schedule it, e.g. daily); `verify-audit` writes one after a
clean verification.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from comptoir.core import audit, audit_key
from comptoir.core.models import AuditEvent


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    key_id: str
    mac: str

    @property
    def when(self) -> str:
        return self.at[:16].replace("T", " ")

    def signed_part(self) -> str:
        return audit.canonical({"seq": self.seq, "hash": self.hash, "at": self.at, "key": self.key_id})

    def line(self) -> str:
        return audit.canonical(
            {"seq": self.seq, "hash": self.hash, "at": self.at, "key_id": self.key_id, "mac": self.mac}
        )


def default_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def take() -> Checkpoint | None:
    """The chain's end now, signed; None while the log is empty."""
    last = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
    if last is None:
        return None
    key = audit_key.current()
    draft = Checkpoint(
        last["seq"], last["hash"], timezone.now().isoformat(timespec="seconds"), key.key_id, ""
    )
    return Checkpoint(
        draft.seq, draft.hash, draft.at, draft.key_id, key.mac("checkpoint:" + draft.signed_part())
    )


def append(checkpoint: Checkpoint, path: Path | None = None) -> Path:
    path = Path(path or default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.write(checkpoint.line() + "\n")
    return path


def scheduled() -> str:
    """The nightly job (`scheduling.registry`): append a checkpoint to the settings' file, as
    `comptoir audit-checkpoint` does."""
    checkpoint = take()
    if checkpoint is None:
        return "Journal d'audit vide : aucun point de contrôle."
    path = append(checkpoint)
    return f"Point de contrôle n° {checkpoint.seq} ({checkpoint.hash[:12]}…) ajouté à {path}."


def read(paths) -> tuple[list[Checkpoint], list[audit.Problem]]:
    """Every checkpoint of the files that exist; a line whose signature does not hold is a problem."""
    key = audit_key.configured()
    found, problems = [], []
    for path in paths:
        path = Path(path)
        if not path.exists():
            continue
        for number, text in enumerate(path.read_text().splitlines(), start=1):
            if not text.strip():
                continue
            where = f"point de contrôle {path.name}:{number}"
            try:
                raw = json.loads(text)
                checkpoint = Checkpoint(int(raw["seq"]), raw["hash"], raw["at"], raw["key_id"], raw["mac"])
            except (ValueError, KeyError, TypeError):
                problems.append(audit.Problem("illisible", document=where))
                continue
            if key is None or key.key_id != checkpoint.key_id:
                problems.append(audit.Problem("signé par une clé inconnue", document=where))
                continue
            if key.mac("checkpoint:" + checkpoint.signed_part()) != checkpoint.mac:
                problems.append(audit.Problem("signature invalide (fichier modifié)", document=where))
                continue
            found.append(checkpoint)
    return found, problems
