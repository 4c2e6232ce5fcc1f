"""Intake in the background (django-tasks, database backend): the OCR of images and scanned PDFs, run by
`comptoir db-worker`, never in a web request (a page takes seconds)."""

from django_tasks import task


@task()
def read_document(document_id: int) -> str:
    from comptoir.intake import services

    document = services.read_received(document_id)
    return f"{document.number} : {document.status}" if document else "absent"
