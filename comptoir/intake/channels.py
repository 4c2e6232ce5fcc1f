"""The channel an order taken from a received document came in by (sales.Order.Channel). Pure: no Django.

A machine-readable order (Order-X, UBL, EDIFACT) is EDI whatever carried it; otherwise an order read from
an e-mail (its body or an attachment) came by e-mail; the rest (a PDF, a scan, an order form dropped on the
intake page, sent by the API or the command line) is a document.
"""

from comptoir.intake import detection

EDI_FORMATS = frozenset({detection.ORDER_X, detection.UBL_ORDER, detection.EDIFACT_ORDERS})
MAIL_CHANNEL = "mail"  # InboundDocument.Channel.MAIL


def order_channel(*, channel: str, file_format: str) -> str:
    if file_format in EDI_FORMATS:
        return "edi"
    if channel == MAIL_CHANNEL or file_format == detection.EMAIL:
        return "email"
    return "document"
