"""Files the API hands out (PDFs, XML): the attachment response and its OpenAPI description."""

from django.http import HttpResponse


def binary(content_type: str) -> dict:
    """`openapi_extra` for an endpoint answering a file rather than JSON."""
    return {
        "responses": {
            "200": {
                "description": "Le fichier, en pièce jointe.",
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def attachment(file) -> HttpResponse:
    """`file` has body, content_type and filename (einvoicing.EInvoiceFile, sales.printing.PdfFile)."""
    response = HttpResponse(file.body, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response
