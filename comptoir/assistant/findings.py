"""What the assistant says about a document chain: Findings, their evidence and Proposals. Pure.

A Finding names what is wrong (a stable `code`), how serious it is (`severity`), says it in a sentence
a user understands (`message`, through gettext: French, or English when the user chose it), and shows
the documents, lines and values it compared (`evidence`, never empty). When there is an obvious next
step, it carries a `Proposal`: data (kind, payload, rationale, confidence) that a human approves, edits
or rejects; approving calls the same service a human would (DESIGN.md rule 7). Nothing here touches the
database.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy, ngettext


class Severity:
    INFO = "info"
    WARNING = "warning"
    BLOCKING = "blocking"


SEVERITY_LABELS = {
    Severity.INFO: gettext_lazy("Information"),
    Severity.WARNING: gettext_lazy("Avertissement"),
    Severity.BLOCKING: gettext_lazy("Bloquant"),
}
_RANK = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Evidence:
    """One document (and optionally one of its lines) the check looked at, with the values it compared.

    `kind` is the document type ("quote", "order", "delivery", "invoice", "credit_note", "return_case",
    "payment", "customer", "product"); `document` its human number (or « brouillon n° 12 »).
    """

    kind: str
    document: str
    id: int | None = None
    line_id: int | None = None
    values: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "document": self.document,
            "id": self.id,
            "line_id": self.line_id,
            "values": {key: _plain(value) for key, value in self.values.items()},
        }


@dataclass(frozen=True)
class Proposal:
    """What a good ADV or accountant would do about a finding, as data for a human to approve."""

    kind: str
    payload: dict
    rationale: str
    confidence: Decimal = Decimal("0.9")

    def __post_init__(self):
        if not self.kind or not self.rationale.strip():
            raise ValueError("a proposal needs a kind and a rationale")

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "payload": _plain(self.payload),
            "rationale": self.rationale,
            "confidence": str(self.confidence),
        }


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    evidence: tuple[Evidence, ...]
    proposal: Proposal | None = None

    def __post_init__(self):
        # IMPORTANT: an unexplained finding is worse than none; refuse it where it is made.
        if not self.code or self.severity not in _RANK:
            raise ValueError(f"bad finding code or severity: {self.code!r} {self.severity!r}")
        if not self.message.strip():
            raise ValueError(f"finding {self.code} has no message")
        if not self.evidence:
            raise ValueError(f"finding {self.code} has no evidence")

    @property
    def is_blocking(self) -> bool:
        return self.severity == Severity.BLOCKING

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "evidence": [item.as_dict() for item in self.evidence],
            "proposal": self.proposal.as_dict() if self.proposal else None,
        }


def by_severity(findings) -> list[Finding]:
    """Blocking first, then warnings, then information; stable within a severity."""
    return sorted(findings, key=lambda finding: _RANK[finding.severity])


def _plain(value):
    """Decimals as strings, dates in ISO form, containers walked: what a JSON API or an audit event can
    hold."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


# --- French wording of numbers ------------------------------------------------------------------


def qty(value: Decimal) -> str:
    """12 → « 12 », 2.500 → « 2,5 »."""
    return format(value.normalize(), "f").replace(".", ",")


def units(value: Decimal) -> str:
    """« 1 unité », « 1,5 unité », « 2 unités »: French is singular below 2, English only for exactly 1."""
    count = int(abs(value))
    if count == 1 and value != value.to_integral_value():
        count = 0  # singular in French (n > 1 is plural), plural in English (n != 1)
    return ngettext("%(quantity)s unité", "%(quantity)s unités", count) % {"quantity": qty(value)}


def euros(value: Decimal) -> str:
    """1234.5 → « 1 234,50 € »."""
    return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",") + "\u00a0€"


def percent(value: Decimal) -> str:
    return qty(value) + "\u00a0%"
