"""Open supplier invoices of the previous system (`OpeningSupplierInvoice`): brought in by the import
(`imports.opening`), the mirror of the customers' open invoices (`payments.opening`).

Each is what the company still owes on an invoice a supplier issued before the switch: its number (the
supplier's own: two suppliers may number alike, so it is matched with its supplier), date, due date, its
401 line in its own AN entry (`accounting.opening.post_open_payable`, 401 credit / 890 debit). The
opening balances then replace their 401 with one 890 credit that clears those entries' counterpart, once
the balance's 401 agrees with them (`imports.opening`). Paying them comes with purchasing: they are
only listed for now.
"""

import datetime
from decimal import Decimal

from comptoir.accounting import opening as accounting_opening
from comptoir.accounting.models import FiscalYear, OpeningBalance
from comptoir.core import audit, dates, money, permissions, rows
from comptoir.core.errors import DomainError
from comptoir.core.errors import fail as _fail
from comptoir.parties.models import Supplier
from comptoir.payments import errors
from comptoir.payments.models import OpeningSupplierInvoice

ZERO = Decimal("0")


def _euros(value: Decimal) -> str:
    return money.fr(value) + " €"


def check_new(
    year: FiscalYear,
    *,
    number: str,
    supplier: Supplier,
    date: datetime.date,
    due_date: datetime.date | None,
    amount: Decimal,
    total: Decimal | None = None,
) -> dict:
    """The fields of a new open supplier invoice, or DomainError: what `create_opening_supplier_invoices`
    checks (the same rules as the customers' open invoices)."""
    if OpeningBalance.objects.filter(fiscal_year=year).exists():
        _fail(errors.OPENING_PAYABLES_AFTER_BALANCES, year=year.name)
    amount = money.amount(amount)
    if amount <= 0:
        _fail(errors.OPENING_AMOUNT_NOT_POSITIVE)
    if total is not None:
        total = money.amount(total)
        if amount > total:
            _fail(errors.OPENING_AMOUNT_ABOVE_TOTAL, amount=_euros(amount), total=_euros(total))
    if date >= year.start_date:
        _fail(errors.OPENING_DATE_AFTER_OPENING, date=dates.fr(date), opening=dates.fr(year.start_date))
    due_date = due_date or date
    if due_date < date:
        _fail(errors.OPENING_DUE_BEFORE_DATE, due=dates.fr(due_date), date=dates.fr(date))
    return {
        "number": number,
        "supplier": supplier,
        "date": date,
        "due_date": due_date,
        "amount": amount,
        "total": total,
    }


def unchanged(found: OpeningSupplierInvoice, fields: dict) -> bool:
    """True when `fields` are those already imported; DomainError when they differ (a re-import never
    changes what was taken over)."""
    same = (
        found.date == fields["date"]
        and found.due_date == (fields["due_date"] or fields["date"])
        and found.amount == money.amount(fields["amount"])
    )
    if not same:
        raise DomainError(
            *errors.OPENING_SUPPLIER_INVOICE_DIFFERS,
            number=found.number,
            supplier=found.supplier.code,
            amount=_euros(found.amount),
            due=dates.fr(found.due_date),
        )
    return True


def create_opening_supplier_invoices(
    checked: list[dict], *, by, source: str, year: FiscalYear
) -> list[OpeningSupplierInvoice]:
    """Post each open supplier invoice's AN entry and record it (fields from `check_new`). Inside the
    import's transaction; one audit event for them all."""
    permissions.require(by, "accounting.entry")
    created = []
    for fields in checked:
        entry, line = accounting_opening.post_open_payable(
            year,
            account=fields["supplier"].account,
            number=fields["number"],
            date=fields["date"],
            due_date=fields["due_date"],
            amount=fields["amount"],
        )
        created.append(
            OpeningSupplierInvoice(
                **fields,
                entry=entry,
                line=line,
                source=source[:200],
                created_by=by if getattr(by, "pk", None) else None,
            )
        )
    created = rows.insert_many(created)
    if created:
        audit.record(
            "payment.opening_supplier_invoices_imported",
            by=by,
            obj=year,
            data={
                "file": source,
                "count": len(created),
                "amount": str(sum((o.amount for o in created), ZERO)),
                "numbers": [f"{o.supplier.code} {o.number}" for o in created[:50]],
            },
        )
    return created


def open_items() -> list[OpeningSupplierInvoice]:
    """The open supplier invoices taken over, by due date (nothing pays them yet: all are still due)."""
    return list(OpeningSupplierInvoice.objects.select_related("supplier").order_by("due_date", "id"))


def imported_on(year: FiscalYear) -> list[tuple[str, Decimal]]:
    """(the supplier's auxiliary account, amount) of each open supplier invoice of `year`'s opening."""
    return list(
        OpeningSupplierInvoice.objects.filter(entry__date=year.start_date).values_list(
            "supplier__account", "amount"
        )
    )
