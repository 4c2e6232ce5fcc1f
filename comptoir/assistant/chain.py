"""A document chain as the checks see it: plain frozen dataclasses, no Django. Pure.

One snapshot holds what a check may compare along the cycle of one order — customer (with VAT regime
and VAT number), quote lines, order lines, deliveries and their lines, invoices, deposit invoices and
credit notes with their lines, deposit deductions, the return cases credit notes refer to — plus what
the customer owes and has paid (open invoices, payments not fully allocated) and the customer's
invoices of the same days (to spot duplicates). `assistant.snapshots` builds it from the database;
tests and the evaluation bench may build it by hand.

`focus` names the invoice the findings are about (None: the whole order). Invoices cancelled as drafts
are left out of the snapshot, except the focus itself.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

ZERO = Decimal("0")


class Kind:
    """Invoice kinds, as billing stores them."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    DEPOSIT = "deposit"


class Status:
    DRAFT = "draft"
    ISSUED = "issued"
    CANCELLED = "cancelled"
    VALIDATED = "validated"  # deliveries


@dataclass(frozen=True)
class Product:
    id: int
    sku: str
    name: str
    is_service: bool
    vat_rate: Decimal
    vat_exemption_reason: str = ""
    vat_exemption_code: str = ""
    # (first day of a later rate, the rate before it), oldest first: the rates in force before `vat_rate`.
    earlier_rates: tuple[tuple[datetime.date, Decimal], ...] = ()

    def rate_on(self, day: datetime.date) -> Decimal:
        """The rate in force on `day` (the day the tax fell due)."""
        for applies_from, old_rate in self.earlier_rates:
            if day < applies_from:
                return old_rate
        return self.vat_rate


@dataclass(frozen=True)
class Customer:
    id: int
    code: str
    name: str
    vat_regime: str  # "france", "eu", "export"
    vat_number: str = ""
    country: str = "FR"
    # What an invoice must say of its buyer; None when unknown (a chain built by hand).
    siren: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None


@dataclass(frozen=True)
class QuoteLine:
    id: int
    product: Product
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal


@dataclass(frozen=True)
class Quote:
    id: int
    number: str
    lines: tuple[QuoteLine, ...] = ()
    date: datetime.date | None = None
    valid_until: datetime.date | None = None


@dataclass(frozen=True)
class OrderLine:
    id: int
    product: Product
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    vat_rate: Decimal
    vat_category: str
    quote_line_id: int | None = None
    position: int = 0


@dataclass(frozen=True)
class Order:
    id: int
    number: str
    status: str
    date: datetime.date
    lines: tuple[OrderLine, ...] = ()
    total_untaxed: Decimal = ZERO
    # An order with ordinary schedule steps is billed by them, not by delivered quantities.
    billed_by_schedule: bool = False
    # (order line id, field) that a recorded amendment (avenant, always with its reason) changed since
    # confirmation: "unit_price", "discount_percent", "quantity", or "line_added" for a line it added.
    amended: frozenset[tuple[int, str]] = frozenset()

    def amended_line(self, line_id: int, field: str) -> bool:
        """The line's `field` comes from an amendment (or the whole line was added by one)."""
        return (line_id, field) in self.amended or (line_id, "line_added") in self.amended


@dataclass(frozen=True)
class DeliveryLine:
    id: int
    order_line_id: int
    product: Product
    quantity: Decimal
    # Average cost at which the goods left the stock (None: not known, a service or a hand-built chain).
    unit_cost: Decimal | None = None


@dataclass(frozen=True)
class Delivery:
    id: int
    number: str
    status: str
    date: datetime.date
    lines: tuple[DeliveryLine, ...] = ()
    # A replacement is never invoiced; a blocked delivery waits for its dispute to end.
    is_replacement: bool = False
    invoicing_blocked: bool = False

    @property
    def counts_as_delivered(self) -> bool:
        return self.status == Status.VALIDATED and not self.is_replacement


@dataclass(frozen=True)
class InvoiceLine:
    id: int
    product: Product
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    vat_rate: Decimal
    vat_category: str
    net_amount: Decimal
    order_line_id: int | None = None
    delivery_line_id: int | None = None
    credited_line_id: int | None = None
    # On a credit note: the line lowers the price of units the customer keeps (takes nothing back).
    # None when unknown (a chain built by hand): a price below the invoiced one is then read as such.
    price_reduction: bool | None = None
    # The legal mention of a line without VAT; None when unknown (a chain built by hand).
    vat_exemption_reason: str | None = None


@dataclass(frozen=True)
class Invoice:
    id: int
    number: str | None
    kind: str
    status: str
    customer_id: int
    # The invoice date once issued; the day the draft was made before that.
    date: datetime.date
    total_untaxed: Decimal
    total: Decimal
    lines: tuple[InvoiceLine, ...] = ()
    order_id: int | None = None
    deposits_deducted: Decimal = ZERO
    corrects_id: int | None = None
    source_reference: str = ""
    milestone_id: int | None = None
    # The buyer's purchase-order number of the order it bills ("" when none was given).
    po_number: str = ""
    due_date: datetime.date | None = None

    @property
    def label(self) -> str:
        return self.number or f"brouillon n° {self.id}"

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_live(self) -> bool:
        return self.status != Status.CANCELLED

    @property
    def evidence_kind(self) -> str:
        return "credit_note" if self.kind == Kind.CREDIT_NOTE else "invoice"


@dataclass(frozen=True)
class DepositDeduction:
    invoice_id: int
    deposit_id: int
    amount: Decimal  # incl. VAT


@dataclass(frozen=True)
class ReturnLine:
    id: int
    delivery_line_id: int
    product: Product
    quantity: Decimal
    net_amount: Decimal
    # Units sent again by the case's replacements, and units received back from the customer.
    replaced: Decimal = ZERO
    received: Decimal = ZERO


@dataclass(frozen=True)
class ReturnCase:
    id: int
    number: str
    reason: str
    status: str
    delivery_id: int
    lines: tuple[ReturnLine, ...] = ()
    # None when unknown (a chain built by hand).
    customer_id: int | None = None
    customer_name: str = ""
    # The company's rules want the goods back before any credit note on this case (reason and policy).
    receipt_before_credit: bool = False
    # The delivery notes of its replacements.
    replacements: tuple[str, ...] = ()

    @property
    def justified_amount(self) -> Decimal:
        return sum((line.net_amount for line in self.lines), ZERO)


@dataclass(frozen=True)
class Payment:
    """A payment of the customer not (fully) allocated to invoices."""

    id: int
    number: str
    date: datetime.date
    amount: Decimal
    unallocated: Decimal
    # What the customer's bank wrote with it (their invoice number, a transfer label…).
    reference: str = ""


@dataclass(frozen=True)
class Allocation:
    """Money of a payment allocated to an invoice, with the payment's reference (read only for payments
    that carry one)."""

    payment_id: int
    payment_number: str
    reference: str
    invoice_id: int
    invoice_number: str
    amount: Decimal


@dataclass(frozen=True)
class PastLine:
    """A line of one of the customer's earlier confirmed orders, of a product the chain's order sells:
    what the customer usually buys and pays (`checks.habits`)."""

    order_id: int
    order_number: str
    date: datetime.date
    product_id: int
    quantity: Decimal
    net_unit_price: Decimal


@dataclass(frozen=True)
class OpenItem:
    """An issued invoice of the customer with something left to pay."""

    invoice_id: int
    number: str
    balance_due: Decimal
    due_date: datetime.date | None = None


@dataclass(frozen=True)
class NamedElsewhere:
    """An issued invoice of another customer, still owed, whose number the reference of one of this
    customer's unallocated payments names (a transfer booked on the wrong customer)."""

    payment_id: int
    invoice_id: int
    number: str
    customer_id: int
    customer_name: str
    balance_due: Decimal


@dataclass(frozen=True)
class PaidInvoice:
    """One of the customer's invoices paid in full: how many days after its date the money came."""

    number: str
    date: datetime.date
    days_to_pay: int
    paid_late: bool = False  # after its due date


@dataclass(frozen=True)
class Chain:
    customer: Customer
    today: datetime.date
    focus: int | None = None
    order: Order | None = None
    quote: Quote | None = None
    # For an order keyed without a quote: the customer's quotes sent and still valid on the order's
    # date, with their lines (the order may answer one of them).
    open_quotes: tuple[Quote, ...] = ()
    deliveries: tuple[Delivery, ...] = ()
    invoices: tuple[Invoice, ...] = ()
    deductions: tuple[DepositDeduction, ...] = ()
    return_cases: tuple[ReturnCase, ...] = ()
    # The customer's other invoices dated within the duplicate window of the chain's invoices.
    neighbours: tuple[Invoice, ...] = ()
    payments: tuple[Payment, ...] = ()
    open_items: tuple[OpenItem, ...] = ()
    # The customer's draft invoices and deposits (balance_due: their total), read with the payments: a
    # prepayment waits for one of them to be issued.
    drafts: tuple[OpenItem, ...] = ()
    # The customer's confirmed orders nothing invoices yet (invoice_id: the order's id, balance_due: its
    # total incl. VAT), read with the payments: a prepayment of the order waits for its invoice.
    open_orders: tuple[OpenItem, ...] = ()
    # The customer's earlier orders of the order's products (a year back, newest first): its habits.
    past_lines: tuple[PastLine, ...] = ()
    # The customer's other payments of the same amount as one left unallocated, dated within a few days
    # of it (a payment entered twice).
    payment_twins: tuple[Payment, ...] = ()
    # Allocations to the chain's invoices, or of payments whose reference names one of them.
    allocations: tuple[Allocation, ...] = ()
    # The largest payment gap the company writes off (payments.writing_off); read with the open items.
    write_off_threshold: Decimal = Decimal("0")
    # Invoices of other customers that the reference of an unallocated payment names.
    named_elsewhere: tuple[NamedElsewhere, ...] = ()
    # The customer's own payment habit (read only when one of the chain's invoices is overdue): its
    # invoices paid in full over the last year, and whether the overdue ones were reminded since due.
    paid_invoices: tuple[PaidInvoice, ...] = ()
    reminded: frozenset[int] = frozenset()
    # The customer's e-mail and first contact, the seller's name, IBAN and penalty rate: what a reminder
    # the habit check proposes says (read with the habit).
    reminder_context: dict | None = None

    # Lookups, computed once per snapshot (cached_property writes around the frozen __setattr__).

    @cached_property
    def invoice_by_id(self) -> dict[int, Invoice]:
        return {invoice.id: invoice for invoice in (*self.neighbours, *self.invoices)}

    @cached_property
    def order_line_by_id(self) -> dict[int, OrderLine]:
        return {line.id: line for line in self.order.lines} if self.order else {}

    @cached_property
    def quote_line_by_id(self) -> dict[int, QuoteLine]:
        return {line.id: line for line in self.quote.lines} if self.quote else {}

    @cached_property
    def delivery_line_by_id(self) -> dict[int, tuple[Delivery, DeliveryLine]]:
        return {line.id: (delivery, line) for delivery in self.deliveries for line in delivery.lines}

    @cached_property
    def invoice_line_by_id(self) -> dict[int, tuple[Invoice, InvoiceLine]]:
        return {line.id: (invoice, line) for invoice in self.invoices for line in invoice.lines}

    @property
    def focus_invoice(self) -> Invoice | None:
        return self.invoice_by_id.get(self.focus) if self.focus is not None else None

    def subjects(self, *kinds: str) -> list[Invoice]:
        """The invoices findings are reported on: the focus alone, or every live invoice of the chain;
        of the given kinds (all kinds when none is given)."""
        if self.focus is not None:
            focus = self.focus_invoice
            chosen = [focus] if focus is not None and focus.is_live else []
        else:
            chosen = [invoice for invoice in self.invoices if invoice.is_live]
        return [invoice for invoice in chosen if not kinds or invoice.kind in kinds]

    @cached_property
    def _claims(self) -> dict[int, list[tuple[Invoice, InvoiceLine]]]:
        claims: dict[int, list[tuple[Invoice, InvoiceLine]]] = {}
        for invoice in self.invoices:
            if invoice.is_live and invoice.kind == Kind.INVOICE:
                for line in invoice.lines:
                    if line.delivery_line_id is not None:
                        claims.setdefault(line.delivery_line_id, []).append((invoice, line))
        for found in claims.values():
            found.sort(key=lambda pair: (claim_order(pair[0]), pair[1].id))
        return claims

    @cached_property
    def _credited(self) -> dict[int, Decimal]:
        """Quantity taken back per invoice line by issued credit notes (a price reduction credits a
        quantity too, and takes nothing back)."""
        credited: dict[int, Decimal] = {}
        for note in self.invoices:
            if note.kind != Kind.CREDIT_NOTE or note.status != Status.ISSUED:
                continue
            for line in note.lines:
                original = self.invoice_line_by_id.get(line.credited_line_id)
                if original is None:
                    continue
                reduction = line.price_reduction
                if reduction is None:
                    reduction = line.unit_price < original[1].unit_price
                if not reduction:
                    credited[line.credited_line_id] = (
                        credited.get(line.credited_line_id, ZERO) + line.quantity
                    )
        return credited

    def billing_lines(self, delivery_line_id: int) -> list[tuple[Invoice, InvoiceLine]]:
        """Lines of live invoices (not credit notes) that bill a delivery line, oldest claim first:
        issued invoices before drafts, then by id."""
        return self._claims.get(delivery_line_id, [])

    def net_quantity(self, line: InvoiceLine) -> Decimal:
        """What an invoice line still bills once credit notes took quantities back."""
        return line.quantity - self._credited.get(line.id, ZERO)

    def invoiced_quantity(self, delivery_line_id: int) -> Decimal:
        """Quantity of a delivery line on live invoices, credit notes not deducted."""
        return sum((line.quantity for _, line in self.billing_lines(delivery_line_id)), ZERO)


def claim_order(invoice: Invoice) -> tuple[bool, int]:
    """Who came first on the same goods: issued invoices before drafts, then the older one."""
    return (invoice.is_draft, invoice.id)
