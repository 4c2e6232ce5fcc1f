"""Sending a document by e-mail, and the test e-mail of the settings page.

The order of the steps is the point. An SMTP server cannot take a message back, a database transaction
can: so the message is handed to the server first, and only then, in one transaction, is the attempt
recorded — the .eml and the PDF archived, the `OutgoingEmail` row, the audit event on the document — or,
when the server refused or did not answer, the failed attempt with its reason in French (nothing
archived: nothing left). Nothing is written before the server answered, so a refusal leaves no half of
an attempt, and a retry is a new attempt.
"""

import smtplib
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.archive.store import archive_file, document_key
from comptoir.core import audit, permissions
from comptoir.core.errors import DomainError
from comptoir.mailing import errors
from comptoir.mailing.documents import sendable
from comptoir.mailing.models import OutgoingEmail
from comptoir.parties import selectors as parties


class _SentAsBuilt(EmailMessage):
    """An e-mail whose MIME form is built once: the bytes archived are the bytes the server received
    (Django builds it again, with a new boundary, each time `message()` is called)."""

    _built = None

    def message(self):
        if self._built is None:
            self._built = super().message()
        return self._built

    def as_bytes(self) -> bytes:
        return self.message().as_bytes(linesep="\r\n")


def parse_addresses(value) -> list[str]:
    """ "a@x.fr, b@y.fr; c@z.fr" or a list → the addresses, each checked; an invalid one is refused."""
    if isinstance(value, str):
        value = value.replace(";", ",").replace("\n", ",").split(",")
    addresses = [a.strip() for a in (value or []) if a and a.strip()]
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise DomainError(*errors.INVALID_ADDRESS, address=address[:80]) from None
    return list(dict.fromkeys(addresses))


def _message(*, subject, body, to, cc, bcc, attachment=None) -> _SentAsBuilt:
    company = parties.company()
    headers = {"Date": formatdate(localtime=True), "Message-ID": make_msgid(domain="comptoir.local")}
    message = _SentAsBuilt(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        cc=cc,
        bcc=bcc,
        reply_to=[company.email] if company and company.email else None,
        headers=headers,
    )
    if attachment is not None:
        message.attach(attachment.filename, attachment.body, attachment.content_type)
    return message


def _reply(code, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _refused(error, refused: dict) -> DomainError:
    reply = "; ".join(_reply(*answer) for answer in refused.values())
    return DomainError(*error, recipients=", ".join(refused), reply=reply)


def partly_refused(message: EmailMessage) -> DomainError | None:
    """Who the server refused while it took the message for the others (`mailing.backend`), or None."""
    refused = getattr(message, "refused_recipients", None)
    return _refused(errors.PARTLY_REFUSED, refused) if refused else None


def _deliver(message: EmailMessage) -> DomainError | None:
    """Hand the message to the configured backend; None when taken (by at least one recipient: see
    `partly_refused`), else why not (in French)."""
    try:
        get_connection(fail_silently=False).send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        return _refused(errors.RECIPIENT_REFUSED, exc.recipients or {})
    except smtplib.SMTPSenderRefused as exc:
        return DomainError(
            *errors.SENDER_REFUSED, sender=str(exc.sender), reply=_reply(exc.smtp_code, exc.smtp_error)
        )
    except smtplib.SMTPAuthenticationError as exc:
        return DomainError(*errors.AUTHENTICATION_FAILED, reply=_reply(exc.smtp_code, exc.smtp_error))
    except smtplib.SMTPResponseException as exc:
        return DomainError(*errors.SERVER_REFUSED, reply=_reply(exc.smtp_code, exc.smtp_error))
    except (smtplib.SMTPException, OSError) as exc:
        error = str(exc) or exc.__class__.__name__
        return DomainError(
            *errors.SERVER_UNREACHABLE, host=settings.EMAIL_HOST, port=settings.EMAIL_PORT, error=error[:200]
        )
    return None


def send_document(document, *, to, cc=(), bcc=(), subject: str, body: str, by) -> OutgoingEmail:
    """E-mail `document` with its PDF (the Factur-X PDF for an invoice or a credit note) attached.

    Returns the attempt: `status` sent, or failed with `failure_reason` (the server refused a recipient,
    did not answer…), which the caller shows; refusals before sending (rights, addresses, a draft
    invoice that has no PDF yet) raise DomainError and record nothing.
    """
    entry = sendable(document)
    permissions.require(by, entry.permission)
    to, cc, bcc = parse_addresses(to), parse_addresses(cc), parse_addresses(bcc)
    if not to:
        raise DomainError(*errors.NO_RECIPIENT)
    subject = (subject or "").strip()
    if not subject:
        raise DomainError(*errors.SUBJECT_MISSING)
    file = entry.pdf(document)
    message = _message(subject=subject, body=body or "", to=to, cc=cc, bcc=bcc, attachment=file)
    failure = _deliver(message)
    attempt = {
        **document_key(document),
        "document_number": str(document.number),
        "to": to,
        "cc": cc,
        "bcc": bcc,
        "subject": subject[:255],
        "body": body or "",
        "created_by": by if getattr(by, "pk", None) else None,
    }
    with transaction.atomic():
        if failure is None:
            eml = archive_file(
                message.as_bytes(),
                name=f"{document.number}.eml",
                media_type="message/rfc822",
                document=document,
                by=by,
            )
            pdf = archive_file(
                file.body, name=file.filename, media_type=file.content_type, document=document, by=by
            )
            partly = partly_refused(message)
            sent = OutgoingEmail.objects.create(
                **attempt,
                status=OutgoingEmail.Status.SENT,
                message=eml,
                attachment=pdf,
                failure_code=partly.code if partly else "",
                failure_reason=partly.message if partly else "",
            )
            data = {"to": ", ".join(to), "cc": ", ".join(cc), "subject": subject, "attachment": file.filename}
            if partly:
                data["refused"] = ", ".join(message.refused_recipients)
            audit.record("document.emailed", by=by, obj=document, data=data)
            return sent
        failed = OutgoingEmail.objects.create(
            **attempt,
            status=OutgoingEmail.Status.FAILED,
            failure_code=failure.code,
            failure_reason=failure.message,
        )
        audit.record(
            "document.email_failed",
            by=by,
            obj=document,
            data={"to": ", ".join(to), "reason": failure.message},
        )
        return failed


def send_test_email(*, by) -> None:
    """A short message to the user's own address, to check the mail settings; the server's refusal
    raises DomainError with its reason in French. Nothing is recorded: no document left."""
    permissions.require(by, "mail.test")
    address = (getattr(by, "email", "") or "").strip()
    if not address:
        raise DomainError(*errors.USER_WITHOUT_EMAIL)
    message = _message(
        subject=_("Comptoir : e-mail de test"),
        body=_(
            "Ce message confirme que Comptoir peut envoyer des e-mails avec les réglages actuels "
            "(serveur %(host)s, port %(port)s)."
        )
        % {"host": settings.EMAIL_HOST, "port": settings.EMAIL_PORT},
        to=[address],
        cc=[],
        bcc=[],
    )
    failure = _deliver(message)
    if failure is not None:
        raise failure
