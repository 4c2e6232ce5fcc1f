"""The two imports of a company's opening: its open customer invoices and its opening balances.

- `open_invoices` (`OpenInvoiceRows`, run by `services._execute` like the other kinds): a row per invoice
  of the previous system with what is left to pay on it, matched by its original number; each becomes an
  `OpeningInvoice` with its AN entry (`payments.opening`). The same file again changes nothing; a row
  that differs from what was taken over is refused.
- `opening_balances` (`execute_balances`): a trial balance or the previous system's FEC, whose rows are
  summed (per account, per open item of 411, 4191 and 401) into the opening entry of journal AN
  (`accounting.opening`). Each row is read and checked on its own (account number, customer, amounts)
  and reported; the entry is posted from the valid rows when none is refused (or `valid_only`), balanced
  or refused as a whole with its difference, and with the 411 agreeing with the open invoices imported.

The rules themselves live in `accounting.opening` and `payments.opening`; this module reads rows.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from comptoir.accounting import chart, periods
from comptoir.accounting import errors as accounting_errors
from comptoir.accounting import opening as accounting_opening
from comptoir.accounting.models import Account
from comptoir.core import money
from comptoir.core.errors import DomainError
from comptoir.core.errors import fail as _fail
from comptoir.imports import errors, presets
from comptoir.imports.rows import (
    CREATED,
    REFUSED,
    UNCHANGED,
    Refusal,
    Report,
    RowRefused,
    batches,
    open_file,
    parse_row,
)
from comptoir.parties.models import Customer, Supplier
from comptoir.payments import errors as payment_errors
from comptoir.payments import opening as payments_opening
from comptoir.payments import opening_payables as payments_payables
from comptoir.payments.models import OpeningInvoice, OpeningSupplierInvoice

ZERO = Decimal("0")


class _Customers:
    """Customers by code, read once per code."""

    def __init__(self, error):
        self.found: dict[str, Customer | None] = {}
        self.error = error

    def get(self, code: str) -> Customer:
        if code not in self.found:
            self.found[code] = Customer.objects.filter(code=code).first()
        if self.found[code] is None:
            _fail(self.error, value=code)
        return self.found[code]


class OpenInvoiceRows:
    """Open customer invoices: checked by `payments.opening.check_new`, posted a batch at a time."""

    key = "number"

    def __init__(self, by, source: str):
        self.by, self.source = by, source
        self.year = accounting_opening.opening_year()
        periods.posting_year(self.year.start_date)  # refused at once when its first day is locked
        self.customers = _Customers(payment_errors.OPENING_UNKNOWN_CUSTOMER)
        self.pending: list[dict] = []

    def existing(self, keys):
        return OpeningInvoice.objects.select_related("customer").in_bulk(keys, field_name="number")

    def _fields(self, record: dict) -> dict:
        return {
            "number": record["number"],
            "customer": self.customers.get(record["customer"]),
            "date": record["date"],
            "due_date": record.get("due_date"),
            "amount": record["amount"],
        }

    def prepare(self, record: dict) -> None:
        self.pending.append(
            payments_opening.check_new(self.year, **self._fields(record), total=record.get("total"))
        )

    def update(self, record: dict, found: OpeningInvoice) -> str:
        payments_opening.unchanged(found, self._fields(record))
        return UNCHANGED

    def flush(self) -> None:
        payments_opening.create_opening_invoices(self.pending, by=self.by, source=self.source, year=self.year)
        self.pending = []

    def finish(self) -> None:
        """Every batch was written by `flush`."""


class _Suppliers:
    """Suppliers by code or auxiliary account (« F-0007 », « 401DUPONT »), read once per value."""

    def __init__(self):
        self.found: dict[str, Supplier | None] = {}

    def find(self, value: str) -> Supplier | None:
        if value not in self.found:
            account = "".join(value.split()).upper()
            self.found[value] = (
                Supplier.objects.filter(code=value).first()
                or Supplier.objects.filter(account=account).first()
            )
        return self.found[value]

    def get(self, value: str) -> Supplier:
        supplier = self.find(value)
        if supplier is None:
            _fail(payment_errors.OPENING_UNKNOWN_SUPPLIER, value=value)
        return supplier


class SupplierInvoiceRows:
    """Open supplier invoices: checked by `payments.opening_payables.check_new`, posted a batch at a time.
    Two suppliers may number their invoices alike: a row is its supplier and its number."""

    key = "number"

    def __init__(self, by, source: str):
        self.by, self.source = by, source
        self.year = accounting_opening.opening_year()
        periods.posting_year(self.year.start_date)  # refused at once when its first day is locked
        self.suppliers = _Suppliers()
        self.pending: list[dict] = []

    def key_of(self, record: dict) -> str:
        found = self.suppliers.find(record["supplier"])
        return f"{found.code if found else record['supplier']} / {record['number']}"

    def existing(self, keys):
        found = OpeningSupplierInvoice.objects.filter(number__in={k.split(" / ", 1)[1] for k in keys})
        return {f"{o.supplier.code} / {o.number}": o for o in found.select_related("supplier")}

    def _fields(self, record: dict) -> dict:
        return {
            "number": record["number"],
            "supplier": self.suppliers.get(record["supplier"]),
            "date": record["date"],
            "due_date": record.get("due_date"),
            "amount": record["amount"],
        }

    def prepare(self, record: dict) -> None:
        self.pending.append(
            payments_payables.check_new(self.year, **self._fields(record), total=record.get("total"))
        )

    def update(self, record: dict, found: OpeningSupplierInvoice) -> str:
        payments_payables.unchanged(found, self._fields(record))
        return UNCHANGED

    def flush(self) -> None:
        payments_payables.create_opening_supplier_invoices(
            self.pending, by=self.by, source=self.source, year=self.year
        )
        self.pending = []

    def finish(self) -> None:
        """Every batch was written by `flush`."""


# --- Opening balances -----------------------------------------------------------------------------


def _refusal(report: Report, number: int, cells, header, columns, name: str, exc: DomainError) -> None:
    index = columns.get(name)
    value = cells[index] if index is not None and index < len(cells) else ""
    report.add(number, REFUSED, "")
    report.refusals.append(
        Refusal(number, header[index] if index is not None else "", value, exc.code, exc.message)
    )
    report.refused_cells.append((number, cells))


class _Balances:
    """The rows of a balance or a FEC summed into the lines of the opening entry."""

    def __init__(self):
        self.known = set(Account.objects.values_list("code", flat=True))
        self.new_accounts: dict[str, str] = {}
        self.accounts: dict[str, Decimal] = {}  # account → balance (debit − credit)
        self.items: dict[tuple, list] = {}  # (account, partner id, aux, reference) → [amount, label]
        self.result = ZERO
        self.receivables: dict[int | None, Decimal] = {}  # 411 per customer (None: not named)
        self.payables: dict[str, Decimal] = {}  # 401 per auxiliary account ("": not named)
        self.customers = _Customers(accounting_errors.OPENING_UNKNOWN_CUSTOMER)

    def add(self, record: dict) -> None:
        """One row; DomainError (with the field at fault) when it cannot be taken."""
        found = accounting_opening.split_account(record["account"])
        if found is None:
            raise _Field(
                "account", DomainError(*accounting_errors.OPENING_NOT_AN_ACCOUNT, value=record["account"])
            )
        number, name_in_cell = found
        debit, credit = record.get("debit"), record.get("credit")
        if debit is None and credit is None:
            if record.get("balance") is None:
                raise _Field("debit", DomainError(*accounting_errors.OPENING_NO_AMOUNT))
            amount = record["balance"]
        else:
            amount = (debit or ZERO) - (credit or ZERO)
        amount = money.amount(amount)
        if number[0] in "67":
            self.result += amount
            return
        code = accounting_opening.chart_code(number, self.known)
        if code not in self.known and code not in self.new_accounts:
            self.new_accounts[code] = record.get("account_name") or name_in_cell
        if code not in accounting_opening.COLLECTIVE:
            self.accounts[code] = self.accounts.get(code, ZERO) + amount
            return
        aux = record.get("partner") or ""
        partner = None
        if aux and code in accounting_opening.CUSTOMER_ACCOUNTS:
            try:
                partner = self.customers.get(aux).pk
            except DomainError:
                raise _Field(
                    "partner", DomainError(*accounting_errors.OPENING_UNKNOWN_CUSTOMER, value=aux)
                ) from None
        if code == chart.CUSTOMERS:
            self.receivables[partner] = self.receivables.get(partner, ZERO) + amount
        if code == chart.SUPPLIERS:
            self.payables[aux] = self.payables.get(aux, ZERO) + amount
        if record.get("lettering"):
            # Lettered in the previous system: settled, only its balance counts (zero when the
            # lettering is whole), kept on the account rather than as an open item.
            key = (code, partner, aux, "")
            label = f"Solde lettré {aux}".strip()
        else:
            reference = record.get("reference") or ""
            key = (code, partner, aux, reference)
            date = record.get("date")
            parts = [
                reference,
                record.get("label") or "",
                f"du {date:%d/%m/%Y}" if date and reference else "",
            ]
            label = " — ".join(p for p in parts if p) or f"À-nouveau {code} {aux}".strip()
            if aux and not partner:
                label = f"{aux} — {label}"
        entry = self.items.setdefault(key, [ZERO, label])
        entry[0] += amount

    def lines(
        self, opening_invoices: Decimal | None, opening_payables: Decimal | None = None
    ) -> list[accounting_opening.Item]:
        items = [
            accounting_opening.Item(code, balance, f"À-nouveau {code}")
            for code, balance in sorted(self.accounts.items())
            if balance
        ]
        for (code, partner, _aux, _ref), (amount, label) in sorted(
            self.items.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][3])
        ):
            if not amount or (code == chart.CUSTOMERS and opening_invoices is not None):
                continue
            if code == chart.SUPPLIERS and opening_payables is not None:
                continue
            items.append(accounting_opening.Item(code, amount, label[:200], partner))
        if opening_invoices is not None:
            # The open invoices' own AN entries hold 411; their counterpart on 890 is cleared here.
            items.append(
                accounting_opening.Item(
                    accounting_opening.OPENING_ACCOUNT, opening_invoices, "Factures ouvertes reprises"
                )
            )
        if opening_payables is not None:
            # Likewise the open supplier invoices' AN entries hold 401, against 890 debit.
            items.append(
                accounting_opening.Item(
                    accounting_opening.OPENING_ACCOUNT,
                    -opening_payables,
                    "Factures fournisseurs ouvertes reprises",
                )
            )
        if self.result:
            # Classes 6 and 7 of a year not closed in the previous system: its result, to 120 or 129.
            code = chart.PROFIT if self.result < 0 else chart.LOSS
            items.append(accounting_opening.Item(code, self.result, "Résultat de l'exercice précédent"))
        return items


class _Field(Exception):
    def __init__(self, name: str, error: DomainError):
        self.name, self.error = name, error


def _check_receivables(balances: _Balances, year) -> Decimal | None:
    """The open invoices' total when some were imported, after checking the balance's 411 against them
    (in all, and per customer when the balance names them); None when none were."""
    invoices = list(
        OpeningInvoice.objects.filter(entry__date=year.start_date).values_list("customer_id", "amount")
    )
    if not invoices:
        return None
    total = sum((amount for _c, amount in invoices), ZERO)
    balance = sum(balances.receivables.values(), ZERO)
    per_customer: dict[int, Decimal] = {}
    for customer_id, amount in invoices:
        per_customer[customer_id] = per_customer.get(customer_id, ZERO) + amount
    details = []
    if None not in balances.receivables:
        names = dict(
            Customer.objects.filter(pk__in=[*per_customer, *balances.receivables]).values_list("pk", "code")
        )
        for customer_id in sorted(
            set(per_customer) | set(balances.receivables), key=lambda pk: names.get(pk, "")
        ):
            difference = balances.receivables.get(customer_id, ZERO) - per_customer.get(customer_id, ZERO)
            if difference:
                details.append(f"{names.get(customer_id, '?')} : {money.fr(difference)} €")
    if balance != total or details:
        detail = (_("Écarts par client : %(list)s. ") % {"list": ", ".join(details[:20])}) if details else ""
        _fail(
            accounting_errors.OPENING_RECEIVABLES_DIFFER,
            balance=money.fr(balance) + " €",
            invoices=money.fr(total) + " €",
            difference=money.fr(balance - total) + " €",
            detail=detail,
        )
    return total


def _check_payables(balances: _Balances, year) -> Decimal | None:
    """The open supplier invoices' total when some were imported, after checking the balance's 401
    against them (in all, and per supplier when every 401 row names its auxiliary account, by the
    supplier's code or account); None when none were."""
    invoices = payments_payables.imported_on(year)
    if not invoices:
        return None
    total = sum((amount for _a, amount in invoices), ZERO)
    balance = -sum(balances.payables.values(), ZERO)  # 401 is a credit
    details = []
    if "" not in balances.payables:
        suppliers = _Suppliers()
        per_supplier: dict[str, Decimal] = {}
        for account, amount in invoices:
            per_supplier[account] = per_supplier.get(account, ZERO) + amount
        in_balance: dict[str, Decimal] = {}
        for aux, amount in balances.payables.items():
            found = suppliers.find(aux)
            account = found.account if found else aux
            in_balance[account] = in_balance.get(account, ZERO) - amount
        for account in sorted(set(per_supplier) | set(in_balance)):
            difference = in_balance.get(account, ZERO) - per_supplier.get(account, ZERO)
            if difference:
                details.append(f"{account} : {money.fr(difference)} €")
    if balance != total or details:
        detail = (
            (_("Écarts par fournisseur : %(list)s. ") % {"list": ", ".join(details[:20])}) if details else ""
        )
        _fail(
            accounting_errors.OPENING_PAYABLES_DIFFER,
            balance=money.fr(balance) + " €",
            invoices=money.fr(total) + " €",
            difference=money.fr(balance - total) + " €",
            detail=detail,
        )
    return total


def execute_balances(report: Report, content: bytes, by) -> None:
    """Read every row, then post the opening entry (see the module's docstring)."""
    kind = presets.OPENING_BALANCES
    header, columns, after, rest = open_file(kind, report.preset, content, report.file_name)
    report.header = header
    year = accounting_opening.opening_year()
    balances = _Balances()
    accepted = []
    for batch in batches(after, rest, report.file_name):
        for number, cells in batch:
            try:
                record = parse_row(kind, cells, columns, number, header)
            except RowRefused as exc:
                report.add(number, REFUSED, "")
                report.refusals.extend(exc.refusals)
                report.refused_cells.append((number, cells))
                continue
            try:
                balances.add(record)
            except _Field as exc:
                _refusal(report, number, cells, header, columns, exc.name, exc.error)
                continue
            accepted.append((number, record.get("account", "")))
    if not report.rows and not accepted:
        _fail(errors.NO_ROWS)
    if report.counts[REFUSED] and not report.valid_only:
        # Nothing is posted; the report says what the valid rows would do.
        for number, account in accepted:
            report.add(number, CREATED, account)
        return
    periods.posting_year(year.start_date)
    opening_invoices = _check_receivables(balances, year)
    opening_payables = _check_payables(balances, year)
    receivables = sum(balances.receivables.values(), ZERO)
    _opening, posted = accounting_opening.post_opening_balances(
        balances.lines(opening_invoices, opening_payables),
        by=by,
        source=report.file_name,
        year=year,
        receivables=receivables,
        new_accounts=balances.new_accounts,
    )
    status = CREATED if posted else UNCHANGED
    for number, account in accepted:
        report.add(number, status, account)
