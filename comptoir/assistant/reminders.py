"""Payment reminders: which level is due for an overdue invoice, and the e-mail, written from the
customer's history. Pure: the agent reads the facts, this module decides and writes.

Three levels, as French SMEs practise them: a courteous reminder (an oversight is the usual cause), a
firm one, then a formal notice (mise en demeure), which is what allows late-payment penalties and the
fixed 40 € recovery indemnity to be claimed (Code de commerce, art. L441-10 and D441-5). A level is
proposed once (see `level_due`).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_noop as N_

from comptoir.core.money import fr

POLITE = "polite"
FIRM = "firm"
FORMAL = "formal"
LEVELS = (POLITE, FIRM, FORMAL)
# The e-mail goes to a French customer: it stays in French whatever language the user reads the pages in,
# so the labels stay French here (the e-mail's subject) and pages translate them (gettext_noop).
LEVEL_LABELS = {POLITE: N_("Relance courtoise"), FIRM: N_("Relance ferme"), FORMAL: N_("Mise en demeure")}
# Days granted by the formal notice before the matter goes further.
FORMAL_NOTICE_DAYS = 8
RECOVERY_INDEMNITY = Decimal("40")


@dataclass(frozen=True)
class History:
    """What the customer's past says, in the terms the e-mail uses."""

    paid_invoices: int = 0
    paid_late: int = 0
    # Average days between due date and payment over the paid invoices (negative: early).
    average_delay_days: int | None = None
    # (number, balance due) of the customer's other overdue invoices.
    other_overdue: tuple[tuple[str, Decimal], ...] = ()
    # (level, date) of the reminders already sent for this invoice.
    sent: tuple[tuple[str, datetime.date], ...] = field(default_factory=tuple)

    @property
    def usually_pays_on_time(self) -> bool:
        return self.paid_invoices >= 3 and self.paid_late * 5 <= self.paid_invoices


@dataclass(frozen=True)
class Overdue:
    number: str
    date: datetime.date
    due_date: datetime.date
    balance: Decimal
    customer_name: str
    contact_name: str
    email: str


@dataclass(frozen=True)
class Seller:
    name: str
    iban: str = ""
    late_penalty_rate: Decimal | None = None


def thresholds(polite: int, firm: int, formal: int) -> tuple[tuple[str, int], ...]:
    return ((POLITE, polite), (FIRM, firm), (FORMAL, formal))


def level_due(days_overdue: int, steps, decided: set[str], sent: set[str]) -> str | None:
    """The level an overdue invoice has reached, unless someone already decided it or a later one.

    A long-forgotten invoice gets the level its delay calls for, not a courteous first letter; but a
    formal notice is never the first letter sent (it comes after at least one reminder), and a level
    someone rejected is not proposed again: the next one waits for its own delay.
    """
    reached = [level for level, days in steps if days_overdue >= days]
    if not reached:
        return None
    level = reached[-1]
    if level == FORMAL and not sent:
        level = FIRM
    if any(LEVELS.index(other) >= LEVELS.index(level) for other in decided):
        return None
    return level


def _date(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def _opening(history: History, level: str) -> str:
    if level == POLITE and history.usually_pays_on_time:
        return (
            "Vous réglez d'habitude nos factures dans les délais, et nous vous en remercions : "
            "il s'agit sans doute d'un simple oubli."
        )
    if level == POLITE:
        return "Sauf erreur de notre part, le règlement suivant ne nous est pas encore parvenu."
    if level == FIRM:
        sent = [when for lvl, when in history.sent if lvl == POLITE]
        reminded = f" malgré notre relance du {_date(sent[-1])}" if sent else ""
        return f"Nous constatons que la facture ci-dessous reste impayée{reminded}."
    return "Malgré nos relances, la facture ci-dessous reste impayée à ce jour."


def compose(invoice: Overdue, *, level: str, days_overdue: int, history: History, seller: Seller, today):
    """The subject and body of the reminder e-mail, in French."""
    label = LEVEL_LABELS[level]
    subject = f"{label} — facture {invoice.number} — {seller.name}"
    greeting = f"Bonjour {invoice.contact_name}," if invoice.contact_name else "Madame, Monsieur,"
    lines = [
        greeting,
        "",
        _opening(history, level),
        "",
        f"Facture {invoice.number} du {_date(invoice.date)}, échue le {_date(invoice.due_date)} "
        f"({days_overdue} jours de retard) : {fr(invoice.balance)} € restent dus.",
    ]
    if history.other_overdue:
        total = sum((balance for _number, balance in history.other_overdue), Decimal("0"))
        numbers = ", ".join(number for number, _balance in history.other_overdue[:5])
        more = " …" if len(history.other_overdue) > 5 else ""
        lines += ["", f"D'autres factures sont aussi échues ({numbers}{more}), pour {fr(total)} €."]
    payment = f" par virement sur notre compte {seller.iban}" if seller.iban else ""
    lines.append("")
    if level == POLITE:
        lines.append(
            f"Pourriez-vous procéder au règlement{payment} ? Si c'est déjà fait, merci d'ignorer ce message."
        )
    elif level == FIRM:
        lines.append(
            f"Nous vous demandons de régler cette somme{payment} sous huit jours. Si un désaccord sur cette "
            "facture explique ce retard, dites-le-nous : nous le traiterons sans attendre."
        )
    else:
        deadline = today + datetime.timedelta(days=FORMAL_NOTICE_DAYS)
        penalty = (
            f" des pénalités de retard au taux de {fr(seller.late_penalty_rate)} % l'an"
            if seller.late_penalty_rate is not None
            else " des pénalités de retard"
        )
        lines.append(
            f"Par la présente, nous vous mettons en demeure de régler la somme de {fr(invoice.balance)} €{payment} "
            f"au plus tard le {_date(deadline)}. À défaut, nous serons fondés à réclamer{penalty} et "
            f"l'indemnité forfaitaire pour frais de recouvrement de {fr(RECOVERY_INDEMNITY)} € "
            "(articles L441-10 et D441-5 du Code de commerce), puis à engager une procédure de recouvrement."
        )
    lines += ["", "Cordialement,", seller.name]
    return subject, "\n".join(lines)
