"""Receiving a document and deciding on it: the business verbs of intake.

`receive` is the one door of every channel (the intake page, the API, the CLI; the mailbox later): in one
transaction it keeps the file in the archive (direction in), reads it (detection by content, then the
parser of its format), matches the customer and each line's product, runs the intake checks, and leaves
the document « to review », « duplicate » or « quarantined » with its reason. A file that cannot be read
is kept and quarantined, never refused, except an empty one (nothing to keep) and one past the size limit
(COMPTOIR_INTAKE_MAX_FILE_SIZE: keeping it is what the limit prevents). The same bytes twice are the
document already there.

`accept` creates the draft order through `sales.services.create_order` and stores every line a person
matched in the customer's reference table; `reject` asks for a reason. Each verb checks its permission and
writes one audit event.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from comptoir.archive.store import archive_received, describe, sha256_of
from comptoir.catalog.models import Product
from comptoir.core import audit, money, permissions, workflow
from comptoir.core.errors import DomainError, fail
from comptoir.intake import channels, checks, errors, matching, parsers, policy, senders
from comptoir.intake import detection as d
from comptoir.intake.extraction import INVOICE, ExtractedDocument, ParseError
from comptoir.intake.models import CustomerProductReference, ExtractedLine, ExtractedOrder, InboundDocument
from comptoir.parties.models import Customer
from comptoir.sales import services as sales
from comptoir.sales.models import Order

Status = InboundDocument.Status

DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024


def max_file_size() -> int:
    return int(getattr(settings, "COMPTOIR_INTAKE_MAX_FILE_SIZE", DEFAULT_MAX_FILE_SIZE))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}\u00a0Mo".replace(".", ",")


def _move(document: InboundDocument, target: str) -> None:
    workflow.require(
        InboundDocument.TRANSITIONS, document.status, target, document=document.number, labels=Status
    )
    document.status = target


def _quarantine(document: InboundDocument, code: str, **params) -> None:
    _move(document, Status.QUARANTINED)
    document.reason_code = code
    document.reason_params = {k: str(v)[:200] for k, v in params.items()}


# --- Reading ------------------------------------------------------------------------------------


def _decimal(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _customers() -> list[matching.CustomerCandidate]:
    rows = Customer.objects.values_list(
        "pk", "name", "siren", "siret", "vat_number", "einvoice_scheme", "einvoice_address"
    )
    return [
        matching.CustomerCandidate(pk, name, siren, siret, vat, address if scheme == "0088" else "")
        for pk, name, siren, siret, vat, scheme, address in rows
    ]


def _catalogue() -> matching.Catalogue:
    rows = Product.objects.filter(is_active=True).values_list("pk", "sku", "name", "ean")
    return matching.Catalogue([matching.ProductCandidate(pk, sku, name, ean) for pk, sku, name, ean in rows])


def references_of(customer) -> dict[str, int]:
    if customer is None:
        return {}
    return dict(
        CustomerProductReference.objects.filter(customer=customer).values_list("reference", "product_id")
    )


def _store(document: InboundDocument, read: ExtractedDocument) -> list[ExtractedLine]:
    extracted = ExtractedOrder.objects.create(
        document=document,
        fields={name: f.as_dict() for name, f in read.fields.items()},
        po_date=_date(read.value("po_date")),
        requested_date=_date(read.value("requested_date")),
    )
    catalogue = _catalogue()
    references = references_of(document.customer)
    lines = []
    for position, line in enumerate(read.lines, start=1):
        values = {name: f.value for name, f in line.fields.items()}
        found = matching.match_product(values, catalogue, references)
        quantity, price = _decimal(values.get("quantity", "")), _decimal(values.get("unit_price", ""))
        lines.append(
            ExtractedLine(
                extracted=extracted,
                position=position,
                fields={name: f.as_dict() for name, f in line.fields.items()},
                customer_reference=values.get("customer_reference", "")[:80],
                description=values.get("description", "")[:250],
                quantity=money.quantity(quantity)
                if quantity is not None and abs(quantity) < money.MAX_QUANTITY
                else None,
                unit_price=money.unit_price(price)
                if price is not None and abs(price) < money.MAX_LINE_AMOUNT
                else None,
                product_id=found.id,
                match_method=found.method,
                match_score=found.score,
                candidates=[list(c) for c in found.candidates],
            )
        )
    ExtractedLine.objects.bulk_create(lines)
    return list(extracted.lines.select_related("product"))


def _previous_with_po(document: InboundDocument) -> str:
    if not (document.customer_id and document.po_number):
        return ""
    earlier = (
        InboundDocument.objects.filter(customer_id=document.customer_id, po_number=document.po_number)
        .exclude(pk=document.pk)
        .exclude(status__in=(Status.REJECTED, Status.QUARANTINED))
        .order_by("received_at", "id")
        .first()
    )
    if earlier is not None:
        document.duplicate_of = earlier
        return earlier.number
    order = (
        Order.objects.filter(customer_id=document.customer_id, customer_reference=document.po_number)
        .exclude(status=Order.Status.CANCELLED)
        .first()
    )
    return order.number if order is not None else ""


def _read(document: InboundDocument, content: bytes) -> None:
    """Detection, parsing, matching, checks: the document leaves « received » here, whatever happens,
    except an image or a scanned PDF, which waits there for OCR in the background (`read_received`)."""
    try:
        fmt, read = parsers.parse(content)
    except parsers.NeedsOcr as exc:
        document.format = exc.format
        document.reason_code = "ocr_pending"
        return
    except parsers.FormatNotRead as exc:
        document.format = exc.format
        _quarantine(document, exc.code)
        return
    except ParseError as exc:
        _quarantine(document, exc.code, detail=exc.detail or "—")
        return
    except Exception as exc:  # a parser's library failing on a hostile file: kept, quarantined, not a crash
        _quarantine(document, "unreadable", detail=type(exc).__name__)
        return
    _extracted(document, fmt, read)


def _extracted(document: InboundDocument, fmt: str, read: ExtractedDocument) -> None:
    """What was read, matched and checked: the document leaves « received » for review (or duplicate)."""
    document.format = fmt
    document.kind = InboundDocument.Kind.INVOICE if read.kind == INVOICE else InboundDocument.Kind.ORDER
    document.po_number = read.value("po_number")[:60]
    _move(document, Status.EXTRACTED)
    if read.kind == INVOICE:
        document.reason_code = "invoice_received"
        _store(document, read)
        return
    if not read.lines:
        _quarantine(document, "no_lines")
        return
    found = matching.match_customer({name: f.value for name, f in read.fields.items()}, _customers())
    if found.id is not None:
        document.customer = Customer.objects.get(pk=found.id)
        document.customer_match = found.method
    elif document.sender:
        document.customer = senders.customer_of(document.sender)
        document.customer_match = "email" if document.customer else ""
    lines = _store(document, read)
    document.checks = checks.run(document, lines)
    previous = _previous_with_po(document)
    if previous:
        document.checks.insert(
            0,
            {
                "code": "duplicate_po",
                "severity": "error",
                "line": None,
                "params": {"po": document.po_number, "previous": previous},
            },
        )
        document.reason_code = "duplicate_po"
        document.reason_params = {"po": document.po_number, "previous": previous}
        _move(document, Status.DUPLICATE)
    else:
        _move(document, Status.TO_REVIEW)


@transaction.atomic
def receive(
    content: bytes, *, name: str, channel: str, by, sender: str = "", received_at=None
) -> tuple[InboundDocument, bool]:
    """Keep and read one received file: (the document, True) or, for bytes already received, (that
    document, False)."""
    permissions.require(by, "intake.receive")
    content = bytes(content or b"")
    name = (name or "document").replace("\x00", "")[:255]
    if not content:
        fail(errors.EMPTY_FILE, name=name)
    if len(content) > max_file_size():
        fail(errors.TOO_LARGE, name=name, limit=_megabytes(max_file_size()))
    if channel not in InboundDocument.Channel.values:
        raise ValueError(channel)
    digest = sha256_of(content)
    existing = InboundDocument.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            document = InboundDocument.objects.create(
                sha256=digest,
                file_name=name,
                size=len(content),
                channel=channel,
                sender=(sender or "").replace("\x00", "")[:254],
                received_at=received_at or timezone.now(),
                received_by=by if getattr(by, "pk", None) else None,
            )
    except IntegrityError:
        # The same file received at the same moment through another channel: that one is the document.
        return InboundDocument.objects.get(sha256=digest), False
    try:
        fmt = d.detect(content)
    except ParseError:
        fmt = d.UNKNOWN
    document.archived_file = archive_received(
        content,
        name=name,
        media_type=d.MEDIA_TYPES.get(fmt, d.MEDIA_TYPES[d.UNKNOWN]),
        document=document,
        by=by,
        sender=document.sender,
        received_at=document.received_at,
    )
    document.format = "" if fmt == d.UNKNOWN else fmt  # kept when the parser then fails on it
    _read(document, content)
    document.save()
    if document.status == Status.RECEIVED:
        _read_later(document)
    describe(document)  # the archive's search entry learns the customer and the kind read
    audit.record(
        "intake.received",
        by=by,
        obj=document,
        data={
            "file": name,
            "sha256": digest,
            "channel": channel,
            "format": document.format,
            "status": document.status,
            "reason": document.reason_code,
            "po": document.po_number,
            "customer": document.customer.code if document.customer_id else "",
        },
    )
    if policy.may_auto_accept(document, by=by):
        _accept(document, by=by, auto=True)
        document.refresh_from_db()
    return document, True


# --- Reading in the background (OCR) -------------------------------------------------------------


def _read_later(document: InboundDocument) -> None:
    """Queue the OCR of a document once its row is committed (the worker must see it)."""
    from comptoir.intake.tasks import read_document

    transaction.on_commit(lambda: read_document.enqueue(document.pk))


@transaction.atomic
def read_received(document_id: int) -> InboundDocument | None:
    """The worker's side of an image or a scanned PDF: OCR, then the same extraction, matching and checks
    as any other document; it leaves « received » for review, or quarantine with the reason. A document
    already read (the task run twice) is left as it is."""
    document = InboundDocument.objects.select_for_update().filter(pk=document_id).first()
    if document is None or document.status != Status.RECEIVED:
        return document
    from comptoir.archive.selectors import content_of

    content = content_of(document.archived_file)
    document.reason_code = ""
    try:
        read = parsers.parse_ocr(content, document.format)
    except ParseError as exc:
        _quarantine(document, exc.code, detail=exc.detail or "—")
    except Exception as exc:  # the OCR engine failing on a hostile image: kept, quarantined
        _quarantine(document, "unreadable", detail=type(exc).__name__)
    else:
        _extracted(document, document.format, read)
    document.save()
    describe(document)  # the archive's search entry learns the customer and the kind read
    audit.record(
        "intake.read",
        by=None,
        obj=document,
        data={
            "format": document.format,
            "status": document.status,
            "reason": document.reason_code,
            "po": document.po_number,
            "customer": document.customer.code if document.customer_id else "",
        },
    )
    return document


# --- Deciding -----------------------------------------------------------------------------------


def _locked(document: InboundDocument) -> InboundDocument:
    return InboundDocument.objects.select_for_update().get(pk=document.pk)


def _learn(customer, line: ExtractedLine, product_id: int, *, document, by) -> bool:
    """Store the customer's reference for the product a person chose, unless the line had matched that
    product by itself (our code, the EAN, or the reference already known). True if the table changed."""
    if not line.customer_reference:
        return False
    if line.product_id == product_id and line.match_method in (
        matching.BY_CODE,
        matching.BY_EAN,
        matching.BY_REFERENCE,
    ):
        return False
    current = CustomerProductReference.objects.filter(
        customer=customer, reference=line.customer_reference
    ).first()
    if current is None:
        CustomerProductReference.objects.create(
            customer=customer,
            reference=line.customer_reference,
            product_id=product_id,
            learnt_from=document,
            created_by=by if getattr(by, "pk", None) else None,
        )
        return True
    if current.product_id == product_id:
        return False
    current.product_id = product_id
    current.learnt_from = document
    current.save(update_fields=["product", "learnt_from", "updated_at"])
    return True


@transaction.atomic
def accept(document: InboundDocument, *, by, lines=None, customer=None) -> Order:
    """Create the draft order of a document under review.

    `lines`: one dict per extracted line to order, {"line": ExtractedLine id, "product": id or Product,
    "quantity", "unit_price" (optional: the price read, else the product's)}; a line left out, or with
    quantity 0, is not ordered. Without `lines`, every line as read and matched. `customer`: who orders,
    when it was not recognised or was corrected."""
    permissions.require(by, "intake.review")
    return _accept(document, by=by, lines=lines, customer=customer)


def _accept(document: InboundDocument, *, by, lines=None, customer=None, auto: bool = False) -> Order:
    document = _locked(document)
    if document.status != Status.TO_REVIEW:
        raise DomainError(
            *errors.NOT_IN_REVIEW,
            http_status=409,
            document=document.number,
            status=Status(document.status).label,
        )
    if customer is not None and not isinstance(customer, Customer):
        customer = Customer.objects.filter(pk=customer).first()
    customer = customer or document.customer
    if customer is None:
        fail(errors.CUSTOMER_REQUIRED, document=document.number)
    extracted_lines = {line.pk: line for line in document.extracted.lines.select_related("product")}
    if lines is None:
        lines = [
            {
                "line": line.pk,
                "product": line.product_id,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for line in extracted_lines.values()
        ]
    order_lines, chosen = [], []
    for data in lines:
        line = extracted_lines.get(_int(data.get("line")))
        if line is None:
            fail(errors.UNKNOWN_LINE, line=data.get("line"))
        quantity = data.get("quantity")
        if quantity in (None, "") or _decimal(str(quantity)) == 0:
            continue
        product = data.get("product")
        product_id = product.pk if isinstance(product, Product) else _int(product)
        if product_id is None:
            fail(
                errors.PRODUCT_REQUIRED,
                position=line.position,
                description=line.description or line.customer_reference,
            )
        price = data.get("unit_price")
        order_lines.append(
            {
                "product": product_id,
                "quantity": quantity,
                "unit_price": None if price in (None, "") else price,
                "description": line.description
                if line.description and product_id == line.product_id
                else None,
            }
        )
        chosen.append((line, product_id))
    if not order_lines:
        fail(errors.NO_LINES)
    order = sales.create_order(
        customer,
        order_lines,
        by=by,
        customer_reference=document.po_number,
        channel=channels.order_channel(channel=document.channel, file_format=document.format),
    )
    learnt = 0
    for line, product_id in chosen:
        learnt += _learn(customer, line, product_id, document=document, by=by)
        if line.product_id != product_id:
            line.product_id = product_id
            line.match_method = "human"
            line.save(update_fields=["product", "match_method"])
    _move(document, Status.ACCEPTED)
    document.customer = customer
    document.order = order
    document.auto_accepted = auto
    document.decided_at = timezone.now()
    document.decided_by = by if getattr(by, "pk", None) else None
    document.save()
    describe(document)
    audit.record(
        "intake.auto_accepted" if auto else "intake.accepted",
        by=by,
        obj=document,
        data={"order": order.number, "customer": customer.code, "lines": len(order_lines), "learnt": learnt}
        | ({"policy": "auto_accept", "format": document.format} if auto else {}),
    )
    return order


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@transaction.atomic
def reject(document: InboundDocument, *, by, reason: str) -> InboundDocument:
    permissions.require(by, "intake.review")
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        fail(errors.REASON_REQUIRED)
    document = _locked(document)
    _move(document, Status.REJECTED)
    document.decision_note = reason[:2000]
    document.decided_at = timezone.now()
    document.decided_by = by if getattr(by, "pk", None) else None
    document.save()
    audit.record("intake.rejected", by=by, obj=document, data={"reason": reason[:200]})
    return document
