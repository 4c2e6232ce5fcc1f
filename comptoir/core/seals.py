"""Fingerprints of documents, recorded in the audit event of the action that made them.

The audit chain is keyed, so a fingerprint inside an event cannot be changed without the key; what
`verify-audit` then checks is that each document still hashes to the fingerprint its event recorded:
a payment raised by 1,000 € together with its bank and 411 lines keeps a balanced ledger, but no
longer matches its event. Pure: values in, hex digest out; decimals are written without their scale
("12.50" and "12.5" are one amount), so what is computed in memory at the action and what is read
back from the database hash the same.
"""

import datetime
import hashlib
from decimal import Decimal

from comptoir.core.audit import canonical


def plain(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def digest(rows) -> str:
    """SHA-256 of a set of rows (tuples of plain values), whatever their order."""
    written = sorted(canonical([plain(v) for v in row]) for row in rows)
    return hashlib.sha256("\n".join(written).encode()).hexdigest()[:32]
