"""The delivery note as a PDF, with the signature area the receiver fills in (« Reçu en bon état »)."""

from comptoir.einvoice.commercial_pdf import CommercialDocument, Kind, PrintedLine, render_commercial_pdf
from comptoir.sales.printing import PdfFile, buyer_party, seller_party, ship_to
from comptoir.stock.models import Delivery


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
