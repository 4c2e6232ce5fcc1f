"""The demo's year of return cases (RET-…), told through the returns services.

A customer calls a few days after a delivery was invoiced: something was damaged, missing, the wrong
reference, faulty, invoiced at the wrong price, late, or there was too much. The case is opened and
submitted, decided (approved, or rejected), the goods come back when the reason calls for it and are
inspected (back to stock or scrapped), and the case is resolved — credit note, replacement, re-invoice
of a surplus the customer keeps, or refusal after inspection — then closed.

Every kind of case appears at least once (`SCRIPT`), then more are drawn at random, spread over the
period; the cases opened in the last days are left open so that the dispute board has work on it: one
waiting for an answer for days (late on its SLA), some just submitted, some approved and waiting for
the goods, one inspected and waiting for a decision, and one whose draft invoice the case blocks.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from comptoir.demo.business_days import add_business_days as _next
from comptoir.returns.exposure import cumulated_at_stake
from comptoir.returns.models import Reason, ReturnCase
from comptoir.returns.models import ReturnReceiptLine as ReceiptLine
from comptoir.returns.services import (
    approve_case,
    close_case,
    open_case,
    receive_goods,
    refuse,
    reject_case,
    resolve_with_credit_note,
    resolve_with_reinvoice,
    resolve_with_replacement,
    submit_case,
)

SCRAP = ReceiptLine.Disposition.SCRAP
BACK_TO_STOCK = ReceiptLine.Disposition.BACK_TO_STOCK
# Above this amount at stake only the direction may decide (the default return policy).
APPROVAL_THRESHOLD = Decimal("1000")


@dataclass(frozen=True)
class CaseKind:
    reason: str
    decision: str = "approve"  # or "reject"
    disposition: str = ""  # what becomes of the goods sent back, when they come back
    resolution: str = ""  # credit_note, price, replacement, refusal, reinvoice
    # Opened on an invoice already paid: the credit note is not deducted from it.
    paid: bool = False
    refund: bool = False


KINDS = {
    "damaged_credit": CaseKind(Reason.DAMAGED, disposition=SCRAP, resolution="credit_note"),
    "damaged_replaced": CaseKind(Reason.DAMAGED, disposition=SCRAP, resolution="replacement"),
    "damaged_rejected": CaseKind(Reason.DAMAGED, decision="reject"),
    "short_replaced": CaseKind(Reason.SHORT_SHIPMENT, resolution="replacement"),
    "short_credit": CaseKind(Reason.SHORT_SHIPMENT, resolution="credit_note"),
    "wrong_reference": CaseKind(Reason.WRONG_REFERENCE, disposition=BACK_TO_STOCK, resolution="replacement"),
    "quality_credit": CaseKind(Reason.QUALITY, disposition=SCRAP, resolution="credit_note"),
    "quality_refused": CaseKind(Reason.QUALITY, disposition=BACK_TO_STOCK, resolution="refusal"),
    "wrong_price": CaseKind(Reason.WRONG_PRICE, resolution="price"),
    "late_rejected": CaseKind(Reason.LATE_DELIVERY, decision="reject"),
    "surplus_kept": CaseKind(Reason.SURPLUS, resolution="reinvoice"),
    "paid_then_refunded": CaseKind(
        Reason.QUALITY, disposition=SCRAP, resolution="credit_note", paid=True, refund=True
    ),
    "paid_then_next_invoice": CaseKind(
        Reason.QUALITY, disposition=SCRAP, resolution="credit_note", paid=True
    ),
}
# Each kind once, so that a small demo has them all.
SCRIPT = list(KINDS)
# The cases drawn beyond the script, by how often they happen.
EXTRA_WEIGHTS = {
    "damaged_credit": 6,
    "damaged_replaced": 5,
    "short_replaced": 4,
    "short_credit": 3,
    "wrong_reference": 3,
    "quality_credit": 3,
    "quality_refused": 2,
    "wrong_price": 2,
    "late_rejected": 2,
    "damaged_rejected": 1,
}
# Cases per month of history, beyond the script (about 30 in a year, with the open ones).
CASES_PER_MONTH = 2.1

STATEMENTS = {
    Reason.DAMAGED: [
        "Carton écrasé à la livraison, l'outil ne démarre plus.",
        "Boîtier fendu à l'ouverture du colis, réserve notée sur le bon du transporteur.",
        "Palette renversée pendant le transport : plusieurs articles abîmés.",
    ],
    Reason.SHORT_SHIPMENT: [
        "Il manque des articles dans le colis par rapport au bon de livraison.",
        "Colis reçu incomplet, réserve portée sur le bon du transporteur.",
    ],
    Reason.WRONG_REFERENCE: [
        "Nous avons reçu une autre référence que celle commandée.",
        "Mauvais modèle livré : ce n'est pas la version commandée.",
    ],
    Reason.QUALITY: [
        "L'outil chauffe anormalement après quelques minutes d'utilisation.",
        "Les pièces cassent dès la première utilisation, lot défectueux ?",
    ],
    Reason.WRONG_PRICE: [
        "Le prix facturé ne correspond pas au tarif négocié sur le devis.",
        "La remise convenue n'apparaît pas sur la facture.",
    ],
    Reason.LATE_DELIVERY: [
        "Livraison arrivée avec une semaine de retard, le chantier a été décalé.",
        "Retard de livraison : nous demandons un geste.",
    ],
    Reason.SURPLUS: ["Nous avons reçu plus que commandé ; nous gardons l'excédent, merci de le facturer."],
}
APPROVALS = {
    Reason.DAMAGED: "Réserve du transporteur : dommage confirmé",
    Reason.SHORT_SHIPMENT: "Manquant confirmé au contrôle du colisage",
    Reason.WRONG_REFERENCE: "Erreur de préparation confirmée",
    Reason.QUALITY: "Retour accepté pour expertise en atelier",
    Reason.WRONG_PRICE: "Tarif négocié confirmé par le commercial",
    Reason.SURPLUS: "Excédent confirmé : le client le garde",
}
REJECTIONS = {
    Reason.DAMAGED: "Aucune réserve sur le bon du transporteur, colis livré en bon état",
    Reason.LATE_DELIVERY: "Délai annoncé sur l'accusé de réception de commande respecté",
}
INSPECTIONS = {
    SCRAP: [
        "Choc confirmé, carter fissuré : hors d'usage.",
        "Moteur grillé, non réparable.",
        "Emballages écrasés, produits inutilisables.",
    ],
    BACK_TO_STOCK: [
        "Produit neuf dans son emballage d'origine : remis en stock.",
        "Aucun défaut constaté après essai en atelier : remis en stock.",
    ],
}


@dataclass(eq=False)
class _Case:
    kind: CaseKind
    obj: ReturnCase
    shipment: object


class ReturnsDesk:
    def __init__(self, story):
        self.story = story
        self.last_day: datetime.date | None = None

    @property
    def users(self):
        return self.story.users

    # --- Planning -----------------------------------------------------------------------------

    def plan(self, days: list[datetime.date]) -> None:
        """Historical cases spread over the period (each resolved and closed within about two weeks),
        then the cases of the last days, left open."""
        story, rng = self.story, self.story.rng
        first, last = min(10, len(days) // 6), len(days) - 15
        if last > first:
            extra = max(0, round(CASES_PER_MONTH * story.months) - len(SCRIPT))
            kinds = [(name, True) for name in SCRIPT] + [
                (name, False)
                for name in rng.choices(list(EXTRA_WEIGHTS), weights=list(EXTRA_WEIGHTS.values()), k=extra)
            ]
            rng.shuffle(kinds)
            # Faults found on invoices already paid come in the second half, once invoices are paid.
            early = [item for item in kinds[: len(kinds) // 2] if KINDS[item[0]].paid]
            for item in early:
                kinds.remove(item)
                kinds.insert(rng.randint(len(kinds) // 2 + 1, len(kinds)), item)
            span = last - first
            self.last_day = days[last]
            for index, (kind, scripted) in enumerate(kinds):
                day = days[first + min(span - 1, int((index + rng.random()) * span / len(kinds)))]
                # A case of the script keeps looking for a delivery to be about; an extra one soon gives up.
                story.at(day, self._open_historical, kind, 30 if scripted else 5)
        if len(days) >= 8:
            # Waiting for an answer since days[-6]: late on its 48-hour SLA.
            story.at(days[-6], self._open_recent, Reason.DAMAGED, None, None)
            # Inspected, waiting for the decision on what to do.
            story.at(days[-5], self._open_recent, Reason.QUALITY, days[-4], days[-2])
            # Approved, waiting for the goods.
            story.at(days[-4], self._open_recent, Reason.DAMAGED, days[-3], None)
            story.at(days[-3], self._open_recent, Reason.WRONG_REFERENCE, days[-2], None)
            # Just submitted (today, even on a weekend: claims come in by e-mail).
            story.at(story.today, self._open_recent, Reason.SHORT_SHIPMENT, None, None)
            story.at(story.today, self._open_recent, Reason.LATE_DELIVERY, None, None)

    def open_cases(self) -> int:
        return ReturnCase.objects.filter(status__in=ReturnCase.OPEN_STATUSES).count()

    # --- Picking what the case is about ----------------------------------------------------------

    def _candidate(self, day: datetime.date, kind: CaseKind):
        """A delivery invoiced in the last weeks (further back when there is none), not yet disputed.

        A fault found after some use is reported on an invoice already paid (`kind.paid`); when its
        credit note is to be deducted from another invoice, a customer with one still unpaid is preferred.
        """
        story = self.story
        days_back = 100 if kind.paid else 35
        found = []
        for lookback in (days_back, 2 * days_back):
            found = [s for s in self._recent_shipments(day, lookback) if self._fits(s, kind)]
            if found:
                break
        if kind.paid and not kind.refund:
            found = [s for s in found if self._other_invoice_due(s)] or found
        return story.rng.choice(found) if found else None

    def _recent_shipments(self, day: datetime.date, days: int):
        for shipment in reversed(self.story.shipments):
            if (day - shipment.day).days > days:
                return
            if shipment.day < day:
                yield shipment

    def _fits(self, shipment, kind: CaseKind) -> bool:
        story = self.story
        if shipment.disputed or shipment.order.steps or shipment.invoice.pk in story.corrected:
            return False
        return not (kind.paid and story.due.get(shipment.invoice.pk, Decimal("0")) > 0)

    def _other_invoice_due(self, shipment) -> bool:
        customer = shipment.order.customer
        return any(
            owner is customer and invoice.pk != shipment.invoice.pk and self.story.due.get(invoice.pk, 0) > 0
            for _, invoice, owner in self.story.invoices
        )

    def _lines(self, shipment, reason: str) -> list[dict]:
        rng = self.story.rng
        goods = rng.sample(shipment.goods, min(len(shipment.goods), rng.choice([1, 1, 1, 2])))
        lines = []
        for product, delivered in goods:
            if reason == Reason.SURPLUS:
                quantity = Decimal(rng.randint(1, 2))
            else:
                quantity = max(
                    Decimal("1"), Decimal(int(delivered * Decimal(f"{rng.uniform(0.1, 0.5):.2f}")))
                )
                quantity = min(quantity, delivered)
            lines.append({"product": product.obj, "quantity": quantity})
        return lines

    def _open(self, day, shipment, kind: CaseKind) -> _Case:
        rng = self.story.rng
        shipment.disputed = True
        if shipment.invoice is not None:
            self.story.corrected.add(shipment.invoice.pk)
        case = open_case(
            shipment.delivery,
            self._lines(shipment, kind.reason),
            by=self.users[rng.choice(["commercial", "adv"])],
            reason=kind.reason,
            customer_statement=rng.choice(STATEMENTS[kind.reason]),
            customer=shipment.order.customer.obj,
            date=day,
        )
        case = submit_case(case, by=self.users["adv"])
        self.story.counts["dossiers de retour"] += 1
        return _Case(kind, case, shipment)

    def _decider(self, case: ReturnCase):
        # Four eyes: the ADV who opened a case does not decide it. Above the threshold (the case judged
        # with the other cases on its delivery lines) direction decides.
        adv = self.users["adv"]
        if case.created_by_id == adv.pk or cumulated_at_stake(case).total > APPROVAL_THRESHOLD:
            return self.users["direction"]
        return adv

    # --- Historical cases: decided, goods back, resolved, closed ----------------------------------

    def _open_historical(self, day, name: str, tries: int) -> None:
        kind = KINDS[name]
        shipment = self._candidate(day, kind)
        if shipment is None:
            # Not past the end of the window, so that the case still has time to be closed.
            if tries and _next(day, 1) <= self.last_day:
                self.story.at(_next(day, 1), self._open_historical, name, tries - 1)
            return
        flow = self._open(day, shipment, kind)
        self.story.at(_next(day, self.story.rng.randint(1, 2)), self._decide, flow)

    def _decide(self, day, flow: _Case) -> None:
        rng, kind = self.story.rng, flow.kind
        if kind.decision == "reject":
            flow.obj = reject_case(flow.obj, by=self._decider(flow.obj), reason=REJECTIONS[kind.reason])
            self.story.counts["dossiers rejetés"] += 1
            self.story.at(_next(day, rng.randint(1, 2)), self._close, flow)
            return
        flow.obj = approve_case(flow.obj, by=self._decider(flow.obj), reason=APPROVALS[kind.reason])
        if kind.disposition:
            self.story.at(_next(day, rng.randint(1, 3)), self._receive, flow, kind.disposition)
        else:
            self.story.at(_next(day, rng.randint(1, 2)), self._resolve, flow)

    def _receive(self, day, flow: _Case, disposition: str, then_resolve: bool = True) -> None:
        story = self.story
        lines = list(flow.obj.lines.all())
        receive_goods(
            flow.obj,
            [
                {
                    "line": line,
                    "quantity": line.quantity,
                    "disposition": disposition,
                    "inspection": story.rng.choice(INSPECTIONS[disposition]),
                }
                for line in lines
            ],
            by=self.users["logistique"],
            date=day,
        )
        story.counts["retours reçus"] += 1
        if disposition == BACK_TO_STOCK:
            for line in lines:
                story.stock[line.product_id] += line.quantity
        if then_resolve:
            story.at(_next(day, story.rng.randint(0, 2)), self._resolve, flow)

    def _resolve(self, day, flow: _Case) -> None:
        story, kind, case = self.story, flow.kind, flow.obj
        resolution = kind.resolution
        if resolution == "replacement" and not self._in_stock(case):
            resolution = "credit_note"  # nothing left on the shelf: credited instead
        if resolution == "replacement":
            resolve_with_replacement(
                case, by=self.users["direction"], reason=f"Renvoi de la marchandise — {case.number}", date=day
            )
            for line in case.lines.all():
                story.stock[line.product_id] -= line.quantity
            story.counts["remplacements"] += 1
        elif resolution == "refusal":
            refuse(
                case,
                by=self.users["adv"],
                reason="Aucun défaut constaté après essai : l'outil fonctionne normalement",
            )
        elif resolution == "reinvoice":
            if not self._in_stock(case):
                # The kept surplus leaves the stock when re-invoiced: wait for the next receipt.
                story.at(_next(day, 1), self._resolve, flow)
                return
            invoiced = resolve_with_reinvoice(
                case,
                by=self.users["adv"],
                reason=f"Excédent conservé par le client — {case.number}",
                date=day,
            )
            for line in case.lines.all():
                story.stock[line.product_id] -= line.quantity
            story.counts["refacturations"] += 1
            story.at(day, story.receivables.issue, invoiced.invoice, flow.shipment.order.customer)
        else:
            amount = None
            if resolution == "price":
                # The negotiated price was a few per cent lower than the one invoiced.
                share = Decimal(story.rng.choice([5, 8, 10])) / Decimal("100")
                amount = max(Decimal("0.01"), (case.amount_at_stake * share).quantize(Decimal("0.01")))
            for result in resolve_with_credit_note(case, by=self.users["compta"], amount=amount, date=day):
                story.receivables.credit_settled(
                    day, result.credit_note, flow.shipment.order.customer, refund=kind.refund
                )
        story.at(_next(day, story.rng.randint(1, 3)), self._close, flow)

    def _in_stock(self, case: ReturnCase) -> bool:
        return all(self.story.stock[line.product_id] >= line.quantity for line in case.lines.all())

    def _close(self, day, flow: _Case) -> None:
        close_case(flow.obj, by=self.users["adv"], reason="Client informé de la décision")

    # --- The last days: cases still open -----------------------------------------------------------

    def _open_recent(self, day, reason: str, approve_on, receive_on) -> None:
        kind = CaseKind(reason)
        shipment = self._candidate(day, kind)
        if shipment is None:
            return
        flow = self._open(day, shipment, kind)
        if approve_on is not None:
            self.story.at(approve_on, self._approve_only, flow)
        if receive_on is not None:
            self.story.at(receive_on, self._receive, flow, SCRAP, False)

    def _approve_only(self, day, flow: _Case) -> None:
        flow.obj = approve_case(flow.obj, by=self._decider(flow.obj), reason=APPROVALS[flow.kind.reason])

    def block(self, day, shipment) -> None:
        """The customer reports a missing box after the invoice was drafted: the case blocks the draft."""
        flow = self._open(day, shipment, CaseKind(Reason.SHORT_SHIPMENT))
        self.story.at(_next(day, 1), self._approve_only, flow)
