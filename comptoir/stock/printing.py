"""The delivery note as a PDF, with the signature area the receiver fills in (« Reçu en bon état »), and the\npicking list the warehouse walks with before it ships."""

from decimal import Decimal

from django.utils import timezone

from comptoir.einvoice.commercial_pdf import CommercialDocument, Kind, PrintedLine, render_commercial_pdf
from comptoir.einvoice.picking_pdf import PickingLine, PickingNote, render_picking_pdf
from comptoir.sales.printing import PdfFile, buyer_party, seller_party, ship_to
from comptoir.stock.models import Delivery, DeliveryLine, StockLevel


def delivery_document(delivery: Delivery) -> CommercialDocument:
    seller, legal, _company = seller_party()
    order = delivery.order
    lines = delivery.lines.select_related("product", "order_line").order_by("order_line__position", "id")
    printed = tuple(
        PrintedLine(
            name=line.order_line.description,
            sku=line.product.sku,
            quantity=line.quantity,
            ordered=line.order_line.quantity,
            unit=line.product.unit,
        )
        for line in lines
    )
    references = [("Commande", order.number)]
    if order.customer_reference:
        references.append(("Votre commande", order.customer_reference))
    return CommercialDocument(
        kind=Kind.DELIVERY,
        number=delivery.number,
        date=delivery.date,
        seller=seller,
        seller_legal=legal,
        buyer=buyer_party(order.customer),
        ship_to=ship_to(order.delivery_address),
        references=tuple(references),
        lines=printed,
    )


def delivery_pdf(delivery: Delivery) -> PdfFile:
    return PdfFile(render_commercial_pdf(delivery_document(delivery)), f"{delivery.number}.pdf")


def picking_pdf(deliveries) -> PdfFile:
    """The picking list of prepared delivery notes (one or several), with the stock on hand now."""
    deliveries = list(deliveries)
    lines = list(
        DeliveryLine.objects.filter(delivery__in=deliveries)
        .select_related("product", "order_line")
        .order_by("id")
    )
    on_hand = dict(
        StockLevel.objects.filter(product_id__in={line.product_id for line in lines}).values_list(
            "product_id", "on_hand"
        )
    )
    by_delivery: dict[int, list] = {}
    for line in lines:
        by_delivery.setdefault(line.delivery_id, []).append(
            PickingLine(
                sku=line.product.sku,
                name=line.order_line.description or line.product.name,
                quantity=line.quantity,
                unit=line.product.unit,
                ean=line.product.ean,
                on_hand=on_hand.get(line.product_id, Decimal("0")),
            )
        )
    notes = []
    for delivery in deliveries:
        order = delivery.order
        place = order.delivery_address or order.customer
        notes.append(
            PickingNote(
                number=delivery.number,
                date=delivery.date,
                order_number=order.number,
                customer_name=order.customer.name,
                customer_reference=order.customer_reference,
                ship_to=tuple(line for line in place.address_lines if line),
                lines=tuple(by_delivery.get(delivery.pk, ())),
            )
        )
    seller, legal, _company = seller_party()
    body = render_picking_pdf(notes, seller=seller, legal=legal, printed_on=timezone.localdate())
    name = deliveries[0].number if len(deliveries) == 1 else f"{len(deliveries)}-bons"
    return PdfFile(body, f"preparation-{name}.pdf")
