"""What the company's own history says: a price or a quantity far from what this customer usually pays or
orders for this product (learned per customer and product from their earlier confirmed orders,
`Chain.past_lines`; silent when the history is too thin, the rules of the other checks being the
fallback), and an invoice whose money takes far longer than this customer's own habit of paying
(`Chain.paid_invoices`; a rule on the days past due when the history is thin). Each explained by quoting
the history. A warning, never a block: a new price list or a one-off project is normal, a person checks.
Pure."""

from decimal import Decimal
from statistics import median

from django.utils.translation import gettext

from comptoir.assistant import reminders
from comptoir.assistant.chain import Chain, Kind
from comptoir.assistant.checks._common import CENT, _invoice_ev, _label, _noun, _order_ev, _sentence
from comptoir.assistant.findings import Evidence, Finding, Proposal, Severity, euros, units

# A year of orders, at most this many lines per product, and at least HABIT_MIN of them to speak.
HABIT_DAYS = 365
HABIT_LINES = 6
HABIT_MIN = 3
# A net unit price this far (share) from the customer's median is unusual.
PRICE_GAP = Decimal("0.15")
# A quantity this many times above the customer's largest order, or below its smallest divided by it.
QUANTITY_FACTOR = Decimal("3")


def check_order_against_habits(chain: Chain) -> list[Finding]:
    if chain.order is None or not chain.past_lines:
        return []
    findings = []
    for line in chain.order.lines:
        past = [p for p in chain.past_lines if p.product_id == line.product.id][:HABIT_LINES]
        if len(past) < HABIT_MIN:
            continue
        quoted = ", ".join(p.order_number for p in past[:4])
        net = line.unit_price * (1 - line.discount_percent / 100)
        usual = Decimal(median(p.net_unit_price for p in past))
        repriced = chain.order.amended_line(line.id, "unit_price") or chain.order.amended_line(
            line.id, "discount_percent"
        )
        # A price or quantity set by a recorded amendment is explained by its reason.
        if usual > 0 and abs(net - usual) > usual * PRICE_GAP and not repriced:
            findings.append(
                Finding(
                    "price_unusual_for_customer",
                    Severity.WARNING,
                    gettext(
                        "La commande %(order)s vend %(sku)s à %(price)s HT l'unité ; %(customer)s l'a payé "
                        "%(usual)s en médiane sur ses %(count)s dernières commandes (%(orders)s) : vérifiez "
                        "le prix ou la remise."
                    )
                    % {
                        "order": chain.order.number,
                        "sku": line.product.sku,
                        "price": euros(net.quantize(CENT)),
                        "customer": chain.customer.name,
                        "usual": euros(usual.quantize(CENT)),
                        "count": len(past),
                        "orders": quoted,
                    },
                    (
                        _order_ev(chain, line, net_unit_price=net.quantize(CENT)),
                        *_history_ev(past, net_unit_price=True),
                    ),
                )
            )
        smallest, largest = min(p.quantity for p in past), max(p.quantity for p in past)
        unusual = line.quantity > largest * QUANTITY_FACTOR or line.quantity * QUANTITY_FACTOR < smallest
        if unusual and not chain.order.amended_line(line.id, "quantity"):
            findings.append(
                Finding(
                    "quantity_unusual_for_customer",
                    Severity.WARNING,
                    (
                        gettext(
                            "La commande %(order)s porte %(quantity)s de %(sku)s ; %(customer)s en commande "
                            "d'habitude %(smallest)s (%(orders)s) : vérifiez la quantité avec le client."
                        )
                        if smallest == largest
                        else gettext(
                            "La commande %(order)s porte %(quantity)s de %(sku)s ; %(customer)s en commande "
                            "d'habitude de %(smallest)s à %(largest)s (%(orders)s) : vérifiez la quantité "
                            "avec le client."
                        )
                    )
                    % {
                        "order": chain.order.number,
                        "quantity": units(line.quantity),
                        "sku": line.product.sku,
                        "customer": chain.customer.name,
                        "smallest": units(smallest),
                        "largest": units(largest),
                        "orders": quoted,
                    },
                    (_order_ev(chain, line, quantity=line.quantity), *_history_ev(past)),
                    _usual_quantity(chain, line, Decimal(median(p.quantity for p in past))),
                )
            )
    return findings


def _usual_quantity(chain: Chain, line, usual: Decimal) -> Proposal | None:
    """Once the customer confirms the slip, the order line set back to its usual quantity by an
    amendment (the quantity editable before approving); only while nothing of the line is delivered,
    on a delivery note or invoiced, so the amendment's floors cannot refuse it."""
    order = chain.order
    if order.status != "confirmed" or usual <= 0:
        return None
    shipped = any(dl.order_line_id == line.id for d in chain.deliveries for dl in d.lines)
    billed = any(
        item.order_line_id == line.id
        for invoice in chain.invoices
        if invoice.is_live and invoice.kind == Kind.INVOICE
        for item in invoice.lines
    )
    if shipped or billed:
        return None
    return Proposal(
        "set_order_line_quantity",
        {"order_id": order.id, "order_line_id": line.id, "quantity": usual},
        gettext(
            "Après confirmation du client, ramener par avenant la quantité de %(sku)s sur la commande "
            "%(order)s de %(quantity)s à %(usual)s, sa quantité habituelle (modifiable avant d'approuver)."
        )
        % {
            "sku": line.product.sku,
            "order": order.number,
            "quantity": units(line.quantity),
            "usual": units(usual),
        },
        Decimal("0.6"),
    )


def _history_ev(past, *, net_unit_price=False):
    for p in past[:4]:
        values = {"date": p.date, "quantity": p.quantity}
        if net_unit_price:
            values["net_unit_price"] = p.net_unit_price.quantize(CENT)
        yield Evidence("order", p.order_number, p.order_id, None, values)


# --- Payment habit --------------------------------------------------------------------------------------

# At least this many invoices paid in full over the last year make a habit (`Chain.paid_invoices`).
PAYMENT_HABIT_MIN = 3
# Late against the habit: more days than the customer's usual delay plus max(this, twice its spread).
PAYMENT_HABIT_MARGIN_DAYS = 15
# The rule when the history is thin: this many days past the due date.
PAYMENT_RULE_DAYS_OVERDUE = 30


def check_payment_late_against_habit(chain: Chain) -> list[Finding]:
    """An overdue invoice not reminded yet whose money takes far longer than this customer's own habit
    (the days its invoices of the last year took to be paid, quoted); with fewer than
    PAYMENT_HABIT_MIN of them, the rule: PAYMENT_RULE_DAYS_OVERDUE days past the due date. Proposes the
    first reminder, written as the agent writes them (`assistant.reminders`)."""
    if chain.reminder_context is None:
        return []
    owed = {item.invoice_id: item for item in chain.open_items}
    findings = []
    for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT):
        item = owed.get(invoice.id)
        if invoice.is_draft or item is None or invoice.due_date is None or invoice.id in chain.reminded:
            continue
        overdue = (chain.today - invoice.due_date).days
        if overdue <= 0:
            continue
        age = (chain.today - invoice.date).days
        history = [paid for paid in chain.paid_invoices if paid.number != invoice.number]
        values = {
            "customer": chain.customer.name,
            "noun": _noun(invoice),
            "Noun": _sentence(_noun(invoice)),
            "invoice": _label(invoice),
            "date": invoice.date.strftime("%d/%m/%Y"),
            "age": age,
            "overdue": overdue,
            "count": len(history),
        }
        if len(history) >= PAYMENT_HABIT_MIN:
            days = [paid.days_to_pay for paid in history]
            usual = round(median(days))
            spread = round(median(abs(d - usual) for d in days))
            if age <= usual + max(PAYMENT_HABIT_MARGIN_DAYS, 2 * spread):
                continue
            recent = sorted(history, key=lambda paid: paid.date)[-4:]
            values |= {
                "usual": usual,
                "late": age - usual,
                "examples": ", ".join(f"{paid.number} : {paid.days_to_pay} j" for paid in recent),
            }
            message = gettext(
                "%(customer)s paie d'habitude en %(usual)s jours (%(count)s factures réglées sur un an, dont "
                "%(examples)s) ; %(noun)s %(invoice)s du %(date)s attend son règlement depuis %(age)s jours, soit "
                "%(late)s jours de retard sur cette habitude (échéance dépassée de %(overdue)s jours)."
            )
        else:
            if overdue <= PAYMENT_RULE_DAYS_OVERDUE:
                continue
            values["rule"] = PAYMENT_RULE_DAYS_OVERDUE
            message = gettext(
                "%(Noun)s %(invoice)s de %(customer)s est échue depuis %(overdue)s jours, au-delà de %(rule)s jours ; "
                "trop peu d'historique (%(count)s facture(s) réglée(s) sur un an) pour la comparer à "
                "l'habitude de paiement du client."
            )
        findings.append(
            Finding(
                "payment_late_against_habit",
                Severity.WARNING,
                message % values,
                (
                    _invoice_ev(
                        invoice,
                        None,
                        due_date=invoice.due_date,
                        balance_due=item.balance_due,
                        days_since_invoice=age,
                    ),
                    *(
                        Evidence(
                            "invoice",
                            paid.number,
                            None,
                            None,
                            {"date": paid.date, "days_to_pay": paid.days_to_pay},
                        )
                        for paid in history[-4:]
                    ),
                ),
                _reminder_proposal(chain, invoice, item, overdue, history),
            )
        )
    return findings


def _reminder_proposal(chain: Chain, invoice, item, overdue: int, history) -> Proposal | None:
    context = chain.reminder_context
    if not context.get("email"):
        return None  # nobody to write to: the finding says what is late, the customer card needs an e-mail
    # The level the reminder policy calls for at this delay (the one the agent's reminders step would
    # propose: one proposal), a courteous one when the habit speaks before the policy does.
    steps = reminders.thresholds(*context["steps"]) if context.get("steps") else ()
    level = (reminders.level_due(overdue, steps, set(), set()) if steps else None) or reminders.POLITE
    subject, body = reminders.compose(
        reminders.Overdue(
            number=invoice.number,
            date=invoice.date,
            due_date=invoice.due_date,
            balance=item.balance_due,
            customer_name=chain.customer.name,
            contact_name=context.get("contact", ""),
            email=context["email"],
        ),
        level=level,
        days_overdue=overdue,
        history=reminders.History(
            paid_invoices=len(history), paid_late=sum(1 for paid in history if paid.paid_late)
        ),
        seller=reminders.Seller(context["seller"], context.get("iban", ""), context.get("penalty_rate")),
        today=chain.today,
    )
    return Proposal(
        "send_reminder",
        {
            "invoice_id": invoice.id,
            "level": level,
            "to": context["email"],
            "subject": subject,
            "body": body,
        },
        gettext("Envoyer la « %(level)s » pour %(invoice)s (%(balance)s dus).")
        % {
            "level": gettext(reminders.LEVEL_LABELS[level]),
            "invoice": _label(invoice),
            "balance": euros(item.balance_due),
        },
        Decimal("0.75"),
    )
