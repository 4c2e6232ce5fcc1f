"""The mailbox channel: e-mails become received documents.

`receive_message` is the one path of an e-mail, whether it came from the IMAP mailbox
(`comptoir intake fetch-mail`, the « intake_mail » job), from `comptoir intake import` (.eml) or from the
intake page: in one transaction, each attachment goes through `services.receive` (channel « mail » for the
mailbox), and the message itself (the .eml) too when its body carries an order — or when it has nothing
else, so that an empty message is kept and quarantined with its reason rather than dropped. The .eml is
archived beside every document it brought. A message already processed (same Message-ID, or same bytes)
is not taken twice.

`fetch_mail` polls the mailbox: every message of the folder is read without marking it seen, received,
then moved to the processed folder — never deleted. A message that fails (an attachment past the size
limit, an error of any kind) is recorded with its reason (`MailMessage`, failed) and moved to the error
folder, where a person finds it; put back in the folder, it is read again. The database is committed
before the message is moved: if the move fails, the next run finds the message already processed and
only moves it.
"""

import dataclasses
import imaplib
import logging
import re
import ssl

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from comptoir.archive.models import ArchivedFile
from comptoir.archive.store import archive_received, document_key, sha256_of
from comptoir.core.errors import DomainError
from comptoir.core.permissions import Role
from comptoir.intake import detection, mail, services
from comptoir.intake.extraction import ParseError
from comptoir.intake.models import InboundDocument, MailMessage
from comptoir.intake.parsers import text

log = logging.getLogger(__name__)

MAILBOX_USERNAME = "boite-aux-lettres"
# Messages read per run: a mailbox full after a holiday is emptied over a few runs, not in one long one.
BATCH = 200


def mailbox_user():
    """The account the mailbox receives under (created once): no password, role ADV."""
    user, created = get_user_model().objects.get_or_create(
        username=MAILBOX_USERNAME, defaults={"first_name": "Boîte aux lettres", "last_name": "(commandes)"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=Role.ADV)[0])
    return user


@dataclasses.dataclass
class MessageOutcome:
    message: MailMessage
    documents: list[tuple[InboundDocument, bool]]  # (document, created)
    already: bool = False  # processed before: nothing taken again


def is_email(content: bytes) -> bool:
    try:
        return detection.detect(content) == detection.EMAIL
    except ParseError:
        return False


def _eml_name(parsed: mail.Message, name: str) -> str:
    if name and name.lower().endswith(".eml"):
        return name
    subject = re.sub(r"[^\w\- ]+", "", parsed.subject, flags=re.UNICODE).strip()[:80]
    return f"{subject or 'message'}.eml"


def _already(digest: str, parsed: mail.Message) -> MailMessage | None:
    match = Q(sha256=digest)
    if parsed.message_id:
        match |= Q(message_id=parsed.message_id)
    return MailMessage.objects.filter(match, status=MailMessage.Status.PROCESSED).first()


def _body_has_order(parsed: mail.Message) -> bool:
    try:
        text.parse_text(parsed.body)
    except ParseError:
        return False
    return True


@transaction.atomic
def receive_message(raw: bytes, *, channel: str, by, folder: str = "", name: str = "") -> MessageOutcome:
    """Receive one e-mail (its RFC 5322 bytes): its attachments and, when it carries an order or nothing
    else, its body. Raises DomainError (from `services.receive`) when an attachment is refused; nothing is
    then written."""
    raw = bytes(raw)
    digest = sha256_of(raw)
    parsed = mail.parse_message(raw)
    done = _already(digest, parsed)
    if done is not None:
        return MessageOutcome(done, [], already=True)
    message, _created = MailMessage.objects.update_or_create(
        sha256=digest,
        defaults={
            "message_id": parsed.message_id,
            "channel": channel,
            "folder": folder[:200],
            "sender": parsed.sender,
            "subject": parsed.subject,
            "sent_at": parsed.date,
            "received_at": timezone.now(),
            "status": MailMessage.Status.PROCESSED,
            "reason": "",
            "attachments": min(len(parsed.attachments), 32767),
        },
    )
    received_at = parsed.date or message.received_at
    documents = []
    for attachment in parsed.attachments:
        if not attachment.content:
            continue  # an empty part carries nothing to keep (receive would refuse it)
        documents.append(
            services.receive(
                attachment.content,
                name=attachment.name,
                channel=channel,
                by=by,
                sender=parsed.sender,
                received_at=received_at,
            )
        )
    eml_name = _eml_name(parsed, name)
    if not documents or _body_has_order(parsed):
        documents.append(
            services.receive(
                raw, name=eml_name, channel=channel, by=by, sender=parsed.sender, received_at=received_at
            )
        )
    for document, _is_new in documents:
        InboundDocument.objects.filter(pk=document.pk, mail_message__isnull=True).update(mail_message=message)
        if (
            document.sha256 != digest
            and not ArchivedFile.objects.filter(content__sha256=digest, **document_key(document)).exists()
        ):
            # The message the file came in, kept beside it: who wrote what, with which words.
            archive_received(
                raw,
                name=eml_name,
                media_type="message/rfc822",
                document=document,
                by=by,
                sender=parsed.sender,
                received_at=received_at,
            )
    return MessageOutcome(message, documents)


def record_failure(raw: bytes, *, channel: str, folder: str, reason: str) -> MailMessage:
    """Keep the reason a message could not be received (the message itself stays in the error folder)."""
    raw = bytes(raw)
    parsed = mail.parse_message(raw)
    message, _created = MailMessage.objects.update_or_create(
        sha256=sha256_of(raw),
        defaults={
            "message_id": parsed.message_id,
            "channel": channel,
            "folder": folder[:200],
            "sender": parsed.sender,
            "subject": parsed.subject,
            "sent_at": parsed.date,
            "received_at": timezone.now(),
            "status": MailMessage.Status.FAILED,
            "reason": reason[:2000],
            "attachments": min(len(parsed.attachments), 32767),
        },
    )
    return message


# --- IMAP ---------------------------------------------------------------------------------------


class MailboxError(Exception):
    """The mailbox cannot be reached or used: the French reason."""


@dataclasses.dataclass
class FetchReport:
    read: int = 0
    documents: int = 0
    already: int = 0
    failed: int = 0
    not_moved: int = 0
    lines: list[str] = dataclasses.field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.read} message(s) lu(s) : {self.documents} document(s) reçu(s), "
            f"{self.already} déjà traité(s), {self.failed} en échec"
            + (f", {self.not_moved} non déplacé(s)" if self.not_moved else "")
            + "."
        )


def configuration() -> dict:
    return dict(getattr(settings, "COMPTOIR_INTAKE_IMAP", {}) or {})


def is_configured(config: dict | None = None) -> bool:
    return bool((config if config is not None else configuration()).get("host"))


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def connect(config: dict) -> imaplib.IMAP4:
    security = (config.get("security") or "tls").lower()
    if security not in ("tls", "starttls", "none"):
        raise MailboxError(
            f"COMPTOIR_INTAKE_IMAP_SECURITY vaut « {security} » : choisissez tls, starttls ou none."
        )
    host = config["host"]
    port = int(config.get("port") or (993 if security == "tls" else 143))
    timeout = int(config.get("timeout") or 60)
    context = ssl.create_default_context(cafile=config.get("ca_file") or None)
    try:
        if security == "tls":
            client = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
        else:
            client = imaplib.IMAP4(host, port, timeout=timeout)
            if security == "starttls":
                client.starttls(ssl_context=context)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"Serveur IMAP {host}:{port} injoignable ou refusé ({exc}).") from exc
    try:
        client.login(_quoted(config.get("user", "")), config.get("password", ""))
        # What the server offers once signed in (MOVE, UIDPLUS) is often more than before.
        status, data = client.capability()
        if status == "OK" and data and data[-1]:
            client.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())
    except imaplib.IMAP4.error as exc:
        _close(client)
        raise MailboxError(
            f"Connexion refusée par {host} pour « {config.get('user', '')} » : vérifiez "
            f"COMPTOIR_INTAKE_IMAP_USER et COMPTOIR_INTAKE_IMAP_PASSWORD ({exc})."
        ) from exc
    return client


def _close(client) -> None:
    try:
        client.logout()
    except Exception:  # the connection may already be gone; nothing left to do with it
        pass


def _ensure_folder(client, folder: str) -> None:
    status, _data = client.select(_quoted(folder), readonly=True)
    if status == "OK":
        return
    status, data = client.create(_quoted(folder))
    if status != "OK":
        raise MailboxError(f"Le dossier « {folder} » n'existe pas et n'a pas pu être créé ({data}).")


def _move(client, uid: bytes, folder: str) -> bool:
    if "MOVE" in client.capabilities:
        status, _data = client.uid("MOVE", uid, _quoted(folder))
        return status == "OK"
    # Without MOVE: copy, then flag the original deleted and expunge it (the copy is the message).
    status, _data = client.uid("COPY", uid, _quoted(folder))
    if status != "OK":
        return False
    client.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
    if "UIDPLUS" in client.capabilities:
        client.uid("EXPUNGE", uid)
    else:
        client.expunge()
    return True


def _raw_of(data) -> bytes | None:
    for item in data or ():
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes | bytearray):
            return bytes(item[1])
    return None


def _reason_of(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return f"{exc.message} [{exc.code}]"
    return f"{type(exc).__name__}: {exc}"[:2000]


def fetch_mail(*, by=None, config: dict | None = None, limit: int = BATCH) -> FetchReport:
    """Read the mailbox once. Raises MailboxError when it is not configured or cannot be reached."""
    config = configuration() if config is None else config
    if not is_configured(config):
        raise MailboxError(
            "Boîte aux lettres non configurée : réglez COMPTOIR_INTAKE_IMAP_HOST (voir docs/deployment.md)."
        )
    by = by or mailbox_user()
    folder = config.get("folder") or "INBOX"
    processed = config.get("processed_folder") or "Comptoir-traites"
    failed = config.get("error_folder") or "Comptoir-erreurs"
    channel = InboundDocument.Channel.MAIL
    report = FetchReport()
    client = connect(config)
    try:
        _ensure_folder(client, processed)
        _ensure_folder(client, failed)
        status, data = client.select(_quoted(folder))
        if status != "OK":
            raise MailboxError(f"Dossier « {folder} » introuvable sur le serveur ({data}).")
        status, data = client.uid("SEARCH", None, "ALL")
        uids = (data[0] or b"").split() if status == "OK" and data else []
        for uid in uids[:limit]:
            status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = _raw_of(data) if status == "OK" else None
            if raw is None:
                report.lines.append(f"message {uid.decode()} : illisible sur le serveur, laissé en place.")
                report.failed += 1
                continue
            report.read += 1
            try:
                outcome = receive_message(raw, channel=channel, by=by, folder=folder)
            except Exception as exc:  # whatever happens, the message is kept and its reason too
                reason = _reason_of(exc)
                log.warning("intake mailbox: message %s failed: %s", uid.decode(), reason)
                record_failure(raw, channel=channel, folder=folder, reason=reason)
                report.failed += 1
                report.lines.append(
                    f"message {uid.decode()} : en échec, déplacé dans « {failed} » — {reason}"
                )
                if not _move(client, uid, failed):
                    report.not_moved += 1
                continue
            if outcome.already:
                report.already += 1
                report.lines.append(
                    f"message {uid.decode()} ({outcome.message.subject or outcome.message.message_id}) : "
                    "déjà traité."
                )
            else:
                report.documents += len(outcome.documents)
                numbers = ", ".join(
                    f"{document.number} {document.get_status_display()}"
                    for document, _new in outcome.documents
                )
                report.lines.append(
                    f"message {uid.decode()} de {outcome.message.sender or '—'} "
                    f"({outcome.message.subject or '—'}) : {numbers}"
                )
            if not _move(client, uid, processed):
                report.not_moved += 1
    except imaplib.IMAP4.error as exc:
        raise MailboxError(f"Erreur du serveur IMAP : {exc}") from exc
    finally:
        _close(client)
    return report


def scheduled() -> str:
    """The « intake_mail » job: one reading of the mailbox (nothing when it is not configured)."""
    if not is_configured():
        return "Boîte aux lettres non configurée (COMPTOIR_INTAKE_IMAP_HOST) : rien à relever."
    return fetch_mail().summary()
