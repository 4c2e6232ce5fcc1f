from comptoir.archive.store import document_key
from comptoir.mailing.models import OutgoingEmail


def emails_of(document):
    """The e-mail attempts of a document, newest first."""
    return OutgoingEmail.objects.filter(**document_key(document)).order_by("-id")
