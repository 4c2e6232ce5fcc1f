"""The read-only tables of the settings pages: VAT rates and categories with the accounts they post to,
numbering series, users with their roles, the permissions of each role.

Nothing here is a second copy of a rule: rates come from `catalog.VatRate`, categories and legal
mentions from `core.vat.treatment`, CA3 lines from `accounting.ca3`, accounts from `accounting.chart`,
permissions from `core.permissions.PERMISSIONS`. This module only lays them out for a page.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from comptoir.accounting import ca3, chart
from comptoir.accounting.ledger import letter_code
from comptoir.accounting.models import Account, Journal
from comptoir.catalog.models import Product, VatRate
from comptoir.core import vat
from comptoir.core.models import NumberSequence
from comptoir.core.numbering import format_number
from comptoir.core.permissions import ALL_PERMISSIONS, ALL_ROLES, PERMISSIONS, ROLE_LABELS, Role
from comptoir.parties.models import Customer, VatRegime
from comptoir.web import labels

# --- VAT ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    rate: Decimal
    label: str
    ca3_line: str
    products: int


def vat_rates() -> list[RateRow]:
    """Each rate a product may carry, its CA3 line and how many active products use it."""
    used = dict(
        Product.objects.filter(is_active=True).values_list("vat_rate").annotate(n=Count("id")).order_by()
    )
    rows = []
    for value, label in VatRate.choices:
        rate = Decimal(value)
        rows.append(RateRow(rate, str(label), ca3.gross_vat_line(rate), used.get(rate, 0)))
    return rows


@dataclass(frozen=True)
class CategoryRow:
    category: str
    label: str
    situation: str
    mention: str
    vatex: str
    needs_buyer_vat: bool
    collects_vat: bool


# The situations that lead to each category, worked out by `core.vat.treatment` itself.
_SITUATIONS = (
    (_("Client en France, produit au taux normal ou réduit"), VatRegime.FRANCE, False, Decimal("20.00"), ""),
    (_("Client en France, produit au taux zéro"), VatRegime.FRANCE, False, Decimal("0.00"), ""),
    (
        _("Client en France, produit exonéré (motif sur la fiche produit)"),
        VatRegime.FRANCE,
        False,
        Decimal("0"),
        "*",
    ),
    (
        _("Entreprise d'un autre État de l'UE, prestation de services"),
        VatRegime.EU,
        True,
        Decimal("20.00"),
        "",
    ),
    (_("Entreprise d'un autre État de l'UE, livraison de biens"), VatRegime.EU, False, Decimal("20.00"), ""),
    (_("Client hors Union européenne (exportation)"), VatRegime.EXPORT, False, Decimal("20.00"), ""),
)


def vat_categories() -> list[CategoryRow]:
    rows = []
    for situation, regime, is_service, rate, exemption in _SITUATIONS:
        treatment = vat.treatment(regime=regime, is_service=is_service, rate=rate, exemption_reason=exemption)
        exempt = treatment.category == vat.Category.EXEMPT
        rows.append(
            CategoryRow(
                category=treatment.category,
                label=vat.CATEGORY_LABELS[treatment.category],
                situation=str(situation),
                mention=str(_("Motif de la fiche produit")) if exempt else treatment.reason,
                vatex=str(_("code VATEX de la fiche produit")) if exempt else treatment.reason_code,
                needs_buyer_vat=treatment.category in vat.NEED_BUYER_VAT,
                collects_vat=treatment.rate > 0,
            )
        )
    return rows


def exemption_reasons() -> list[dict]:
    """The exemption reasons the catalog uses, with how many active products carry each."""
    return list(
        Product.objects.filter(is_active=True)
        .exclude(vat_exemption_reason="")
        .values("vat_exemption_reason", "vat_exemption_code")
        .annotate(products=Count("id"))
        .order_by("vat_exemption_reason")
    )


@dataclass(frozen=True)
class AccountRow:
    code: str
    name: str
    use: str


_ACCOUNT_USES = (
    (chart.SALES_GOODS, _("Ventes de biens, montant HT ventilé par taux.")),
    (chart.SALES_SERVICES, _("Prestations de services, montant HT ventilé par taux.")),
    (
        chart.VAT_COLLECTED,
        _(
            "TVA exigible, par taux : celle des biens dès la facture ; celle des services à l'encaissement "
            "(ou dès la facture avec l'option sur les débits). Lignes 08, 9B, 09 de la CA3."
        ),
    ),
    (
        chart.VAT_PENDING,
        _(
            "TVA facturée pas encore exigible (services et acomptes non encaissés) ; chaque règlement en "
            "vire sa part au 44571."
        ),
    ),
    (chart.VAT_DEDUCTIBLE, _("TVA déductible sur les autres biens et services (lignes 20 et 23 de la CA3).")),
    (chart.CUSTOMER_DEPOSITS, _("Acomptes reçus des clients, repris sur la facture finale.")),
    (chart.DISCOUNTS_GRANTED, _("Rabais et remises accordés par avoir (geste commercial).")),
)


def vat_accounts() -> list[AccountRow]:
    codes = [code for code, _use in _ACCOUNT_USES]
    names = {code: name for code, name, _reconcilable in chart.ACCOUNTS}
    names |= dict(Account.objects.filter(code__in=codes).values_list("code", "name"))
    return [AccountRow(code, names.get(code, ""), str(use)) for code, use in _ACCOUNT_USES]


# --- Numbering ----------------------------------------------------------------------------------

# The series the services take numbers from, by the Company field holding their prefix.
SERIES_LABELS = {
    "invoice_series": _("Factures et factures d'acompte"),
    "credit_note_series": _("Avoirs"),
    "quote_series": _("Devis"),
    "order_series": _("Commandes"),
    "delivery_series": _("Bons de livraison"),
    "receipt_series": _("Réceptions de marchandises"),
    "return_series": _("Dossiers de retour"),
    "return_receipt_series": _("Réceptions de retours"),
    "payment_series": _("Règlements"),
    "refund_series": _("Remboursements"),
}
_LEGAL_SERIES = ("invoice_series", "credit_note_series")
LEGAL, BOOKS, INTERNAL, LETTERING = "legal", "books", "internal", "lettering"
SERIES_KIND_LABELS = {
    LEGAL: _("Obligation fiscale (CGI)"),
    BOOKS: _("Obligation comptable (FEC)"),
    INTERNAL: _("Suivi interne"),
    LETTERING: _("Lettrage"),
}
_KIND_ORDER = (LEGAL, BOOKS, INTERNAL, LETTERING)
LETTERING_PREFIX = "LT"


@dataclass(frozen=True)
class SeriesRow:
    series: str
    label: str
    kind: str
    year: int | None
    last_value: int
    last_number: str
    next_number: str

    @property
    def kind_label(self) -> str:
        return str(SERIES_KIND_LABELS[self.kind])


def number_series(prefixes: dict[str, str]) -> list[SeriesRow]:
    """Every counter in use, legal series first, newest year first within a series (`prefixes`: each
    series' prefix by its Company field)."""
    by_prefix = {prefix: field for field, prefix in prefixes.items()}
    journals = dict(Journal.objects.values_list("code", "name"))
    accounts = {str(pk): code for pk, code in Account.objects.values_list("pk", "code")}
    rows = []
    for sequence in NumberSequence.objects.order_by("series", "-year"):
        series, year, last = sequence.series, sequence.year, sequence.last_value
        if series.startswith(LETTERING_PREFIX) and series[len(LETTERING_PREFIX) :].isdigit():
            account = accounts.get(series[len(LETTERING_PREFIX) :], "?")
            label = _("Lettrage du compte %(account)s") % {"account": account}
            rows.append(
                SeriesRow(
                    series,
                    label,
                    LETTERING,
                    None,
                    last,
                    letter_code(last) if last else "",
                    letter_code(last + 1),
                )
            )
            continue
        field = by_prefix.get(series)
        if field in _LEGAL_SERIES:
            kind, label = LEGAL, SERIES_LABELS[field]
        elif series in journals:
            kind, label = BOOKS, _("Écritures du journal %(name)s") % {"name": journals[series]}
        else:
            kind, label = INTERNAL, SERIES_LABELS[field] if field else series
        rows.append(
            SeriesRow(
                series,
                str(label),
                kind,
                year,
                last,
                format_number(series, year, last) if last else "",
                format_number(series, year, last + 1),
            )
        )
    rows.sort(key=lambda row: (_KIND_ORDER.index(row.kind), row.series, -(row.year or 0)))
    return rows


# --- Payment terms ------------------------------------------------------------------------------


def customer_terms() -> list[dict]:
    """How many active customers have each payment term, most common first."""
    return list(
        Customer.objects.filter(is_active=True)
        .values("payment_days", "payment_end_of_month")
        .annotate(customers=Count("id"))
        .order_by("-customers", "payment_days", "payment_end_of_month")
    )


# --- Users and roles ----------------------------------------------------------------------------

ACTIVE, INACTIVE = "actifs", "inactifs"


def users(q: str = "", state: str = ""):
    """Users with their role groups prefetched, searchable by name or e-mail, active ones first."""
    qs = get_user_model().objects.prefetch_related("groups").order_by("-is_active", "username")
    if q:
        qs = qs.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    if state == ACTIVE:
        qs = qs.filter(is_active=True)
    elif state == INACTIVE:
        qs = qs.filter(is_active=False)
    return qs


def role_labels_of(user) -> list[str]:
    """French labels of a user's roles (from prefetched groups); a superuser is always administrator."""
    names = {group.name for group in user.groups.all()}
    if user.is_superuser:
        names.add(Role.ADMIN)
    return [str(ROLE_LABELS[role]) for role in ALL_ROLES if role in names]


@dataclass(frozen=True)
class PermissionRow:
    code: str
    label: str
    roles: tuple[bool, ...]


def permission_table() -> tuple[list[str], list[PermissionRow]]:
    """(role labels, one row per permission with a tick per role), permissions grouped by area."""
    rows = [
        PermissionRow(
            code,
            str(labels.PERMISSION_LABELS.get(code, "")),
            tuple(code in PERMISSIONS[role] for role in ALL_ROLES),
        )
        for code in sorted(ALL_PERMISSIONS)
    ]
    return [str(ROLE_LABELS[role]) for role in ALL_ROLES], rows
