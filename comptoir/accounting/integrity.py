"""What `verify-audit` checks of the ledger (settings.AUDIT_DOCUMENT_CHECKS).

The action that posts an entry records its fingerprint in its audit event (`services.seal`: the date,
and each line's account, partner, debit and credit); each such entry must still hash to it. Entry
numbers run without a gap per journal and fiscal year, so an entry deleted whole shows too.
"""

from collections import defaultdict

from comptoir.accounting.models import EntryLine, Journal, JournalEntry
from comptoir.core import numbering, seals
from comptoir.core.audit import Problem
from comptoir.core.models import AuditEvent

BATCH = 1000


def check() -> list[Problem]:
    sealed: dict[str, tuple[str, int]] = {}
    for seq, data in AuditEvent.objects.filter(data__has_key="entry").values_list("seq", "data").iterator():
        entry = data.get("entry")
        if isinstance(entry, dict) and "number" in entry:
            sealed[entry["number"]] = (entry.get("digest", ""), seq)
    problems = []
    numbers = list(sealed)
    for start in range(0, len(numbers), BATCH):
        chunk = numbers[start : start + BATCH]
        entries = dict(JournalEntry.objects.filter(number__in=chunk).values_list("number", "date"))
        rows = defaultdict(list)
        for row in EntryLine.objects.filter(entry__number__in=chunk).values_list(
            "entry__number", "account_id", "partner_id", "debit", "credit"
        ):
            rows[row[0]].append(row[1:])
        for number in chunk:
            recorded, seq = sealed[number]
            where = f"écriture {number}"
            if number not in entries:
                problems.append(Problem(f"supprimée (attestée par l'événement n° {seq})", document=where))
            elif seals.digest([(entries[number],), *rows[number]]) != recorded:
                problems.append(
                    Problem(
                        f"modifiée depuis sa passation (événement n° {seq} : lignes, montants ou date)",
                        document=where,
                    )
                )
    return problems + _gaps()


def _gaps() -> list[Problem]:
    """Numbers are continuous per series and year: a missing one was deleted."""
    numbers = JournalEntry.objects.values_list("number", flat=True).iterator()
    series = Journal.objects.values_list("code", flat=True)
    return [
        Problem(f"écritures manquantes : {numbering.shown(prefix, values)}", document=f"journal {prefix}")
        for prefix, values in numbering.missing(numbers, series).items()
    ]
