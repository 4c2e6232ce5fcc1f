"""Business dates: the rules every dated document obeys, written once.

A business date is the day a document says something happened: a quote was made, an order taken, goods
left or came in, an invoice or a credit note was issued, money was received or paid back. It is

1. never in the future: today is the company's day, in its time zone (Europe/Paris), whatever zone the
   server runs in — at 00:30 in Paris it is already tomorrow in Paris and still today in UTC;
2. never before a document it follows: a credit note not before the invoice it corrects, an invoice not
   before the deliveries it bills, a payment not before the invoices it settles, a delivery not before
   its order… (`Follows`, given by each service);
3. never further back than the company allows (`Company.backdating_days`, 31 days unless changed);
4. never in a locked or closed period, and, for what posts an entry, only in a fiscal year a person
   opened.

Rules 1–3 are pure and live here (`check`). Rule 4 reads the fiscal years: `accounting.periods`
reads them with the company's window in one query and calls `check`; every dated service calls
`accounting.periods.check_business_date`, never a copy of these rules. Each refusal is a DomainError
with a stable code and a French sentence naming the dates.
"""

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from comptoir.core.errors import DomainError

# The company is French: its day starts at midnight in Paris.
COMPANY_TIME_ZONE = zoneinfo.ZoneInfo("Europe/Paris")

# How far back a document may be dated unless the company says otherwise (see docs/architecture.md,
# "Business dates"): a month covers the end-of-month paperwork recorded in the first days of the next
# (a delivery note signed on the 30th, a cheque received on the 31st), while anything older belongs to a
# month whose VAT return is usually filed and needs someone to widen the window on purpose.
DEFAULT_BACKDATING_DAYS = 31
# Ten years: how long accounting documents are kept (Code de commerce, art. L123-22). A company importing
# its history may open that far back, never further.
MAX_BACKDATING_DAYS = 3660

DATE_IN_FUTURE = (
    "date_in_future",
    N_("Le %(date)s est dans le futur : une opération se date au plus tard d'aujourd'hui (%(today)s)."),
)
DATE_BEFORE_DOCUMENT = (
    "date_before_document",
    N_("Le %(date)s précède %(document)s du %(earlier)s : datez au plus tôt du %(earlier)s."),
)
DATE_BEYOND_BACKDATING = (
    "date_beyond_backdating_window",
    N_(
        "Le %(date)s remonte à plus de %(days)s jours : la société n'autorise pas de dater avant le "
        "%(earliest)s. Un administrateur peut élargir ce délai dans Paramètres › Société."
    ),
)


def fr(date: datetime.date) -> str:
    return date.strftime("%d/%m/%Y")


def today(now: datetime.datetime | None = None) -> datetime.date:
    """The company's today (reads `timezone.now()`, which the demo's clock may set)."""
    return timezone.localdate(now or timezone.now(), COMPANY_TIME_ZONE)


def local_date(value: datetime.date | datetime.datetime) -> datetime.date:
    """The company's day of a date or of a moment (an aware datetime such as `opened_at`)."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value, COMPANY_TIME_ZONE)
    return value


@dataclass(frozen=True)
class Follows:
    """A document the dated one follows: `document` is how a sentence names it ("la facture FA-…")."""

    document: str
    date: datetime.date


def follows(document: str, date: datetime.date | datetime.datetime | None) -> list[Follows]:
    """[Follows(...)] for a document with a date, [] without one (a draft, a document not dated yet)."""
    return [Follows(document, local_date(date))] if date else []


def check(
    date: datetime.date,
    *,
    today: datetime.date,
    backdating_days: int,
    follows: Iterable[Follows] = (),
) -> None:
    """Refuse a business date in the future, before a document it follows, or older than the window."""
    if date > today:
        raise DomainError(*DATE_IN_FUTURE, date=fr(date), today=fr(today))
    latest = max(follows, key=lambda earlier: earlier.date, default=None)
    if latest is not None and date < latest.date:
        raise DomainError(
            *DATE_BEFORE_DOCUMENT, date=fr(date), document=latest.document, earlier=fr(latest.date)
        )
    earliest = today - datetime.timedelta(days=backdating_days)
    if date < earliest:
        raise DomainError(*DATE_BEYOND_BACKDATING, date=fr(date), days=backdating_days, earliest=fr(earliest))
