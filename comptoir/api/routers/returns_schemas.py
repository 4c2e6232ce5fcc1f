"""What the API shows of a return case: its summary (the board), its lines, receipts, resolutions and
credit notes, and the actions open to the user (`case_out` reads them in a bounded number of queries).
The case endpoints are in `returns`, the credit notes' in `credit_notes`."""

import datetime
from typing import Literal

from ninja import Field, Schema

from comptoir.api.schemas import Amount, CustomerRef, DocumentRef, Percent, ProductRef, Quantity, UnitPrice
from comptoir.billing.models import Invoice
from comptoir.payments import services as payments
from comptoir.returns import rules, selectors
from comptoir.returns.models import Reason, Resolution, ReturnCase, ReturnReceiptLine

ReasonCode = Literal[tuple(Reason.values)]
StatusCode = Literal[tuple(ReturnCase.Status.values)]
DispositionCode = Literal[tuple(ReturnReceiptLine.Disposition.values)]
ResolutionKind = Literal[tuple(Resolution.Kind.values)]
ActionCode = Literal[rules.BUTTONS]


class UserRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(user):
        return user.get_full_name() or user.get_username()


class CaseSummaryOut(Schema):
    id: int
    number: str
    status: StatusCode
    status_label: str
    reason: ReasonCode
    reason_label: str
    customer: CustomerRef
    delivery: DocumentRef
    owner: UserRef | None
    amount_at_stake: Amount = Field(description="Valeur HT des lignes du dossier, aux prix de vente.")
    opened_at: datetime.datetime
    age_days: int = Field(description="Jours écoulés depuis l'ouverture (jusqu'à la clôture).")
    answer_due_at: datetime.datetime
    close_due_at: datetime.datetime
    answer_overdue: bool = Field(description="Sans décision après le délai de réponse.")
    close_overdue: bool = Field(description="Pas clos après le délai de clôture.")

    @staticmethod
    def resolve_status_label(case):
        return str(case.get_status_display())

    @staticmethod
    def resolve_reason_label(case):
        return str(case.get_reason_display())

    @staticmethod
    def resolve_age_days(case):
        return case.age().days

    @staticmethod
    def resolve_answer_overdue(case):
        flag = getattr(case, "answer_overdue", None)
        return flag if isinstance(flag, bool) else case.answer_overdue()

    @staticmethod
    def resolve_close_overdue(case):
        flag = getattr(case, "close_overdue", None)
        return flag if isinstance(flag, bool) else case.close_overdue()


class CaseLineOut(Schema):
    id: int
    delivery_line_id: int
    product: ProductRef
    quantity: Quantity
    unit_price: UnitPrice = Field(description="Prix facturé (ou commandé) à l'ouverture du dossier.")
    discount_percent: Percent
    net_amount: Amount
    note: str
    received: Quantity
    credited: Quantity
    replaced: Quantity
    reinvoiced: Quantity
    open_quantity: Quantity = Field(description="Ni créditée ni remplacée.")
    credited_amount: Amount = Field(
        description="Total HT crédité sur la ligne, réductions de prix comprises (credited ne compte que les "
        "unités reprises)."
    )
    price_reduced: Amount = Field(description="Part de credited_amount accordée en réduction de prix.")
    open_amount: Amount = Field(
        description="Ce que les unités encore ouvertes peuvent encore être créditées HT."
    )


class ReturnReceiptLineOut(Schema):
    line_id: int = Field(description="La ligne du dossier.")
    product: ProductRef
    quantity: Quantity
    inspection: str
    disposition: DispositionCode
    unit_cost: UnitPrice = Field(description="Coût de sortie des marchandises (remis en stock ou perdu).")

    @staticmethod
    def resolve_line_id(line):
        return line.return_line_id

    @staticmethod
    def resolve_product(line):
        return line.return_line.product


class ReturnReceiptOut(Schema):
    id: int
    number: str
    date: datetime.date
    loss_entry_id: int | None = Field(description="L'écriture OD de mise au rebut (658 / 603).")
    lines: list[ReturnReceiptLineOut]


class InvoiceRef(Schema):
    id: int
    number: str | None
    status: str


class ResolutionLineOut(Schema):
    line_id: int
    quantity: Quantity
    amount: Amount

    @staticmethod
    def resolve_line_id(line):
        return line.return_line_id


class ResolutionOut(Schema):
    id: int
    kind: ResolutionKind
    kind_label: str
    amount: Amount = Field(
        description="Avoir ou refacturation : total HT ; remplacement : valeur au prix de vente."
    )
    reason: str
    at: datetime.datetime
    by: UserRef | None
    credit_note: InvoiceRef | None
    invoice: InvoiceRef | None = Field(description="La facture de refacturation (brouillon à émettre).")
    replacement: DocumentRef | None = Field(description="Le bon de livraison de remplacement.")
    lines: list[ResolutionLineOut]

    @staticmethod
    def resolve_kind_label(resolution):
        return str(resolution.get_kind_display())


class CreditNoteOut(Schema):
    id: int
    number: str | None
    status: str
    date: datetime.date | None
    corrects: InvoiceRef | None = Field(description="La facture que l'avoir corrige.")
    total_untaxed: Amount
    total_vat: Amount
    total: Amount
    available: Amount = Field(description="Reste à imputer sur une facture ou à rembourser.")


class CaseOut(CaseSummaryOut):
    customer_statement: str = Field(description="Les mots du client.")
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    decided_by: UserRef | None
    decision_reason: str
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    invoicing_blocked: bool = Field(
        description="La livraison est tenue hors facturation par un litige ouvert."
    )
    block_lifted_at: datetime.datetime | None
    block_lift_reason: str
    lines: list[CaseLineOut]
    receipts: list[ReturnReceiptOut]
    resolutions: list[ResolutionOut]
    credit_notes: list[CreditNoteOut]
    available_actions: list[ActionCode] = Field(
        description="Les actions que l'utilisateur peut faire maintenant (état du dossier, règles, rôle)."
    )
    available_resolutions: list[ResolutionKind] = Field(
        description="Les résolutions possibles (action resolve)."
    )

    @staticmethod
    def resolve_invoicing_blocked(case):
        return case.delivery.invoicing_blocked

    @staticmethod
    def resolve_lines(case):
        return [
            {
                "id": p.line.pk,
                "delivery_line_id": p.line.delivery_line_id,
                "product": p.line.product,
                "quantity": p.line.quantity,
                "unit_price": p.line.unit_price,
                "discount_percent": p.line.discount_percent,
                "net_amount": p.line.net_amount,
                "note": p.line.note,
                "received": p.received,
                "credited": p.credited,
                "replaced": p.replaced,
                "reinvoiced": p.reinvoiced,
                "open_quantity": p.open_quantity,
                "credited_amount": p.credited_amount,
                "price_reduced": p.price_reduced,
                "open_amount": p.open_amount,
            }
            for p in case.progress
        ]

    @staticmethod
    def resolve_credit_notes(case):
        return case.credit_note_rows

    @staticmethod
    def resolve_available_actions(case):
        return case.actions

    @staticmethod
    def resolve_available_resolutions(case):
        return case.resolution_kinds


def _credit_note_out(note: Invoice) -> dict:
    return {
        "id": note.pk,
        "number": note.number,
        "status": note.status,
        "date": note.date,
        "corrects": note.corrects,
        "total_untaxed": note.total_untaxed,
        "total_vat": note.total_vat,
        "total": note.total,
        "available": note.total - payments.credit_available_used(note)
        if note.status == Invoice.Status.ISSUED
        else note.total,
    }


def case_out(case_id: int, user) -> ReturnCase:
    """The case with everything its page and the API show, in a bounded number of queries; what is
    derived (line progress, credit notes, actions open to `user`) is attached for CaseOut's resolvers."""
    # An unknown id raises DoesNotExist, which the API answers 404 not_found.
    case = selectors.case_detail(case_id)
    notes = [r.credit_note for r in case.resolutions.all() if r.credit_note_id]
    corrected = Invoice.objects.in_bulk({n.corrects_id for n in notes if n.corrects_id})
    for note in notes:
        note.corrects = corrected.get(note.corrects_id)
    policy = selectors.policy()
    case.progress = selectors.line_progress(case)
    case.credit_note_rows = [_credit_note_out(note) for note in notes]
    case.actions = selectors.available_actions(case, user, policy)
    case.resolution_kinds = selectors.available_resolutions(case, user, policy)
    return case
