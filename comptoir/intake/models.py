"""Documents received (customer purchase orders; invoices, recognised and kept for the purchasing side),
what was read from them, and the customers' own product references learnt from every correction.

An InboundDocument is one received file, once: its SHA-256 is unique, so the same bytes sent again (by
mail and then uploaded, or twice by the API) are the document already there. The bytes themselves live in
the archive (content-addressed, append-only, `direction = in`). Its status follows TRANSITIONS:

    received ─► extracted ─► to_review ─► accepted (a draft order was created) / rejected (with a reason)
       │            │  (an invoice stays « extracted »: the purchasing side reads it later)
       │            └─► duplicate (its PO number was already received from this customer)
       └─► quarantined (unreadable, unsafe or not supported yet, with the French reason)

What was read sits in ExtractedOrder and ExtractedLine, each field with its value, confidence and source
(`fields`, a JSON object per field), beside the columns the review and the matching work on.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.archive.models import ArchivedFile
from comptoir.catalog.models import Product
from comptoir.parties.models import Customer
from comptoir.sales.models import Order


class InboundDocument(models.Model):
    class Channel(models.TextChoices):
        UPLOAD = "upload", _("Dépôt sur la page")
        API = "api", _("API")
        CLI = "cli", _("Ligne de commande")
        MAIL = "mail", _("Boîte aux lettres")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Reçu")
        EXTRACTED = "extracted", _("Lu")
        TO_REVIEW = "to_review", _("À vérifier")
        ACCEPTED = "accepted", _("Accepté")
        REJECTED = "rejected", _("Rejeté")
        DUPLICATE = "duplicate", _("Doublon")
        QUARANTINED = "quarantined", _("En quarantaine")

    class Kind(models.TextChoices):
        ORDER = "order", _("Commande client")
        INVOICE = "invoice", _("Facture reçue")
        UNKNOWN = "unknown", _("Inconnu")

    TRANSITIONS = {
        Status.RECEIVED: {Status.EXTRACTED, Status.QUARANTINED},
        Status.EXTRACTED: {Status.TO_REVIEW, Status.DUPLICATE, Status.QUARANTINED},
        Status.TO_REVIEW: {Status.ACCEPTED, Status.REJECTED},
        Status.DUPLICATE: {Status.REJECTED},
        Status.QUARANTINED: {Status.REJECTED},
    }
    OPEN = (Status.RECEIVED, Status.EXTRACTED, Status.TO_REVIEW, Status.DUPLICATE, Status.QUARANTINED)

    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, unique=True)
    file_name = models.CharField(_("fichier"), max_length=255)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    archived_file = models.ForeignKey(
        ArchivedFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    sender = models.CharField(_("expéditeur"), max_length=254, blank=True)
    received_at = models.DateTimeField(_("reçu le"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    format = models.CharField(_("format"), max_length=20, blank=True)
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices, default=Kind.UNKNOWN)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    # Why it is quarantined (or what was noticed): a stable code and its parameters (errors.REASONS).
    reason_code = models.CharField(max_length=40, blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_documents"
    )
    customer_match = models.CharField(max_length=12, blank=True)  # siret, siren, vat, gln, name
    po_number = models.CharField(_("n° de commande client"), max_length=60, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.OneToOneField(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_document"
    )
    checks = models.JSONField(default=list, blank=True)  # [{code, severity, line, params}]
    decision_note = models.TextField(_("motif"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The e-mail it came in (mailbox or imported .eml): its attachments and its body are documents.
    mail_message = models.ForeignKey(
        "MailMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    # Accepted by the intake policy (IntakePolicy.auto_accept), not by a person.
    auto_accepted = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("document reçu")
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="intake_status_received"),
            models.Index(fields=["customer", "po_number"], name="intake_customer_po"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(order__isnull=False), name="accepted_inbound_has_order"
            ),
        ]

    def __str__(self):
        return self.po_number or self.file_name

    @property
    def number(self) -> str:
        return f"REC-{self.pk}"

    @property
    def reason(self) -> str:
        from comptoir.intake.errors import reason_text

        return reason_text(self.reason_code, self.reason_params)


class ExtractedOrder(models.Model):
    """What a parser read from the document: header fields, each {value, confidence, source}."""

    document = models.OneToOneField(InboundDocument, on_delete=models.CASCADE, related_name="extracted")
    fields = models.JSONField(default=dict)
    po_date = models.DateField(null=True, blank=True)
    requested_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class ExtractedLine(models.Model):
    extracted = models.ForeignKey(ExtractedOrder, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    fields = models.JSONField(default=dict)  # {name: {value, confidence, source}}
    customer_reference = models.CharField(max_length=80, blank=True)
    description = models.CharField(max_length=250, blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    unit_price = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    match_method = models.CharField(max_length=12, blank=True)  # code, ean, reference, description
    match_score = models.PositiveSmallIntegerField(default=0)
    candidates = models.JSONField(default=list, blank=True)  # [[product id, score], …] best first

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["extracted", "position"], name="extracted_line_position_unique")
        ]


class CustomerProductReference(models.Model):
    """A customer's own reference for one of our products, learnt when a person matched it on review: the
    next order from that customer naming this reference is matched by itself."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="product_references")
    reference = models.CharField(_("référence du client"), max_length=80)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="customer_references")
    learnt_from = models.ForeignKey(
        InboundDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("référence produit du client")
        constraints = [
            models.UniqueConstraint(fields=["customer", "reference"], name="customer_reference_unique")
        ]

    def __str__(self):
        return f"{self.reference} → {self.product.sku}"


class MailMessage(models.Model):
    """One e-mail read (from the mailbox, or an .eml imported or dropped), kept so that a message is never
    taken twice: the same Message-ID or the same bytes again are recognised. A message that failed keeps
    its reason; it stays in the mailbox's error folder, and is read again if someone puts it back."""

    class Status(models.TextChoices):
        PROCESSED = "processed", _("Traité")
        FAILED = "failed", _("En échec")

    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=250, blank=True)
    channel = models.CharField(_("canal"), max_length=10, choices=InboundDocument.Channel.choices)
    folder = models.CharField(_("dossier"), max_length=200, blank=True)
    sender = models.CharField(_("expéditeur"), max_length=254, blank=True)
    subject = models.CharField(_("objet"), max_length=250, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    received_at = models.DateTimeField(_("reçu le"))
    status = models.CharField(_("état"), max_length=10, choices=Status.choices)
    reason = models.TextField(_("motif"), blank=True)
    attachments = models.PositiveSmallIntegerField(_("pièces jointes"), default=0)

    class Meta:
        verbose_name = _("message reçu")
        indexes = [models.Index(fields=["message_id"], name="intake_mail_message_id")]

    def __str__(self):
        return self.subject or self.message_id or self.sha256[:12]


class IntakePolicy(models.Model):
    """What intake may do on its own (one row). Off by default: direction decides, each change and each
    use is audited."""

    auto_accept = models.BooleanField(
        _("accepter seules les commandes structurées des clients connus quand tous les contrôles passent"),
        default=False,
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("politique des commandes reçues")

    @classmethod
    def current(cls) -> "IntakePolicy":
        return cls.objects.filter(pk=1).first() or cls(pk=1)
