"""The secret key that seals the audit chain, kept outside the database.

Each event's hash is an HMAC-SHA256 under this key. Someone who can write to the database but not read
the key (a SQL prompt, a stolen backup, an injection) can no longer edit an event and recompute the
hashes after it: `verify-audit` recomputes them with the key and names each one that does not match.

Where the key comes from, in order:
- `COMPTOIR_AUDIT_KEY` (64 hex digits), e.g. from a secrets manager; `COMPTOIR_AUDIT_KEY_SINCE` says from
  which event on it seals the chain (1 by default);
- the key file `COMPTOIR_AUDIT_KEY_FILE` (default `var/audit.key`), created with mode 0600 the first time
  an event is written if it does not exist. It records the key and the first event it seals: the events
  of an older installation, written before the chain was keyed, stay checkable by plain SHA-256, and no
  event after that point may be unkeyed (an attacker cannot "downgrade" a rewritten tail).

The key must be backed up apart from the database (a key kept beside the database would defeat it), and
be the same on every application server of one installation.
"""

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

BLOCK = 64  # SHA-256's block size: HMAC pads the key to it


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    key_id: str
    since: int  # the first event sequence number this key must have sealed

    def mac(self, payload: str) -> str:
        return hmac.new(self.secret, payload.encode(), hashlib.sha256).hexdigest()

    def pads(self) -> tuple[bytes, bytes]:
        """(K ⊕ opad, K ⊕ ipad): HMAC(K, m) = SHA256(outer ‖ SHA256(inner ‖ m)), so a database that only
        has sha256() (PostgreSQL) computes the same MAC from these two blocks."""
        padded = self.secret.ljust(BLOCK, b"\0")
        return bytes(b ^ 0x5C for b in padded), bytes(b ^ 0x36 for b in padded)


def key_id_of(secret: bytes) -> str:
    # A fingerprint, not the key: lets verification pick the key and tell an unknown one.
    return hashlib.sha256(b"comptoir-audit-key-id:" + secret).hexdigest()[:16]


def _from_hex(text: str, since: int) -> AuditKey:
    secret = bytes.fromhex(text.strip())
    if not 16 <= len(secret) <= BLOCK:
        raise ValueError("the audit key must be 16 to 64 bytes (32 to 128 hex digits)")
    return AuditKey(secret, key_id_of(secret), since)


def _read_file(path: Path) -> AuditKey:
    stored = json.loads(path.read_text())
    return _from_hex(stored["key"], int(stored["since"]))


def _create_file(path: Path, since: int) -> AuditKey:
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    content = json.dumps({"key": secret.hex(), "since": since, "created": timezone.now().isoformat()})
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return _read_file(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(content + "\n")
    return AuditKey(secret, key_id_of(secret), since)


_cache: dict[tuple, AuditKey] = {}


def _source() -> tuple[str, int, str]:
    return (
        getattr(settings, "AUDIT_KEY", ""),
        int(getattr(settings, "AUDIT_KEY_SINCE", 1) or 1),
        str(settings.AUDIT_KEY_FILE),
    )


def configured() -> AuditKey | None:
    """The key if one exists (never creates it): what verification uses."""
    source = _source()
    if source in _cache:
        return _cache[source]
    hex_key, since, file = source
    if hex_key:
        key = _from_hex(hex_key, since)
    elif Path(file).exists():
        key = _read_file(Path(file))
    else:
        return None
    _cache[source] = key
    return key


def current() -> AuditKey:
    """The key that seals new events, created on first use when there is none yet."""
    key = configured()
    if key is None:
        from comptoir.core.models import AuditChainHead

        last = AuditChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0
        key = _create_file(Path(_source()[2]), since=last + 1)
        _cache[_source()] = key
    return key


def forget() -> None:
    _cache.clear()
