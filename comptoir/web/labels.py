"""French labels for codes the pages show: audit actions, progress states, payment states."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core import permissions
from comptoir.payments import selectors as payment_view
from comptoir.sales import progress

AUDIT_ACTIONS = {
    "company.configured": _("Société paramétrée"),
    "company.set_up": _("Société mise en place (premiers pas)"),
    "customer.created": _("Client créé"),
    "customer.updated": _("Client modifié"),
    "customer.contact_added": _("Contact ajouté"),
    "customer.delivery_address_added": _("Adresse de livraison ajoutée"),
    "data.imported": _("Données importées"),
    "data.exported": _("Toutes les données exportées"),
    "customer.imported": _("Clients importés"),
    "product.imported": _("Produits importés"),
    "product.created": _("Produit créé"),
    "product.updated": _("Produit modifié"),
    "quote.created": _("Devis créé"),
    "quote.lines_replaced": _("Lignes du devis modifiées"),
    "quote.sent": _("Devis envoyé"),
    "quote.accepted": _("Devis accepté"),
    "quote.refused": _("Devis refusé"),
    "quote.cancelled": _("Devis annulé"),
    "quote.revised": _("Nouvelle version du devis"),
    "order.created": _("Commande créée"),
    "order.lines_replaced": _("Lignes de la commande modifiées"),
    "order.confirmed": _("Commande confirmée"),
    "order.cancelled": _("Commande annulée"),
    "order.amended": _("Commande modifiée par avenant"),
    "intake.received": _("Document reçu"),
    "intake.accepted": _("Commande reçue acceptée"),
    "intake.rejected": _("Commande reçue rejetée"),
    "receipt.created": _("Réception créée"),
    "receipt.validated": _("Réception validée"),
    "receipt.cancelled": _("Réception annulée"),
    "delivery.created": _("Bon de livraison préparé"),
    "document.emailed": _("Document envoyé par e-mail"),
    "document.email_failed": _("Échec de l'envoi par e-mail"),
    "delivery.validated": _("Livraison expédiée"),
    "delivery.cancelled": _("Bon de livraison annulé"),
    "delivery.edited": _("Bon de livraison modifié avant expédition"),
    "invoice.drafted": _("Brouillon de facture créé"),
    "invoice.issued": _("Facture émise"),
    "invoice.cancelled": _("Brouillon de facture annulé"),
    "payment.registered": _("Règlement enregistré"),
    "credit_note.drafted": _("Brouillon d'avoir créé"),
    "credit_note.approved": _("Avoir approuvé (quatre yeux)"),
    "credit_note.refused": _("Avoir refusé à l'approbation"),
    "invoice.deposits_deducted": _("Acomptes déduits du brouillon"),
    "invoice.line_corrected": _("Ligne du brouillon corrigée"),
    "invoice.reminded": _("Relance de paiement envoyée"),
    "invoice.service_period_set": _("Période de prestation renseignée"),
    "invoice.allowance_added": _("Remise globale ajoutée au brouillon"),
    "invoice.charge_added": _("Frais ajoutés au brouillon"),
    "invoice.allowance_charge_removed": _("Remise ou frais retirés du brouillon"),
    "invoice.early_discount_set": _("Escompte pour paiement anticipé renseigné"),
    "payment.allocated": _("Règlement affecté"),
    "refund.requested": _("Remboursement demandé"),
    "refund.approved": _("Remboursement approuvé"),
    "refund.refused": _("Remboursement refusé"),
    "proposal.approved": _("Proposition de l'assistant approuvée"),
    "proposal.auto_approved": _("Proposition appliquée par l'assistant (politique écrite)"),
    "proposal.rejected": _("Proposition de l'assistant rejetée"),
    "assistant.policy_changed": _("Politique de l'assistant modifiée"),
    "demo.seeded": _("Données de démonstration chargées"),
    "credit_note.applied": _("Avoir imputé sur une facture"),
    "credit_note.refunded": _("Avoir remboursé"),
    "order.billing_schedule_set": _("Échéancier de facturation défini"),
    "order.milestone_reached": _("Jalon de facturation atteint"),
    "delivery.replacement_shipped": _("Remplacement expédié"),
    "stock.returned": _("Marchandises retournées en stock"),
    "stock.surplus_kept": _("Excédent conservé par le client sorti du stock"),
    "accounting.period_locked": _("Période comptable verrouillée"),
    "accounting.period_unlocked": _("Période comptable déverrouillée"),
    "accounting.fiscal_year_opened": _("Exercice comptable ouvert"),
    "accounting.fiscal_year_closed": _("Exercice comptable clôturé"),
    "accounting.fiscal_year_reopened": _("Exercice comptable rouvert"),
    "accounting.opening_imported": _("Soldes d'ouverture importés"),
    "payment.opening_invoices_imported": _("Factures clients ouvertes reprises"),
    "job.run_requested": _("Exécution d'une tâche planifiée demandée"),
    "job.schedule_changed": _("Planification d'une tâche modifiée"),
    "manual_entry.drafted": _("Écriture manuelle saisie"),
    "manual_entry.updated": _("Écriture manuelle modifiée"),
    "manual_entry.deleted": _("Écriture manuelle supprimée"),
    "manual_entry.approved": _("Écriture manuelle approuvée (quatre yeux)"),
    "manual_entry.posted": _("Écriture manuelle comptabilisée"),
    "vat.settled": _("TVA liquidée (écriture de la CA3)"),
    "manual_entry.reversed": _("Écriture manuelle contrepassée"),
    "manual_entry.generated": _("Écriture récurrente générée"),
    "recurring_entry.created": _("Écriture récurrente créée"),
    "return.opened": _("Dossier de retour ouvert"),
    "return.submitted": _("Retour soumis"),
    "return.approved": _("Retour accepté"),
    "return.rejected": _("Retour rejeté"),
    "return.refused": _("Retour refusé"),
    "return.goods_received": _("Marchandises retournées reçues"),
    "return.resolved": _("Retour résolu"),
    "return.closed": _("Retour clos"),
    "return.attachment_added": _("Pièce jointe ajoutée au retour"),
    "return.block_lifted": _("Blocage de facturation levé"),
    "return.policy_updated": _("Politique de retour modifiée"),
    "assistant.override": _("Constats bloquants levés (passer outre)"),
    "user.created": _("Utilisateur créé"),
    "api_token.created": _("Jeton d'API créé"),
    "user.roles_changed": _("Rôles de l'utilisateur modifiés"),
    "user.deactivated": _("Utilisateur désactivé"),
    "user.reactivated": _("Utilisateur réactivé"),
    "user.password_changed": _("Mot de passe changé"),
    "api_token.revoked": _("Jeton d'API révoqué"),
    "login.unlocked": _("Connexion débloquée"),
}

AUDIT_KEYS = {
    "to": _("destinataires"),
    "cc": _("copie"),
    "subject": _("objet"),
    "attachment": _("pièce jointe"),
    "customer": _("client"),
    "name": _("raison sociale"),
    "siren": _("SIREN"),
    "changed": _("modifications"),
    "price": _("prix"),
    "vat": _("TVA"),
    "total": _("total HT"),
    "untaxed": _("total HT"),
    "lines": _("lignes"),
    "removed": _("lignes retirées"),
    "changes": _("quantités"),
    "from_quote": _("devis d'origine"),
    "order": _("commande"),
    "reason": _("motif"),
    "codes": _("constats levés"),
    "findings": _("constats"),
    "cost_of_goods": _("coût des marchandises"),
    "number": _("numéro"),
    "amount": _("montant"),
    "method": _("mode"),
    "allocations": _("affectations"),
    "contact": _("contact"),
    "label": _("libellé"),
    "fields": _("champs"),
    "deposits_deducted": _("acomptes déduits"),
    "deposit": _("acompte"),
    "invoice": _("facture"),
    "delivery": _("livraison"),
    "case": _("dossier"),
    "gesture": _("geste commercial"),
    "refund": _("remboursement"),
    "milestone": _("jalon"),
    "milestones": _("jalons"),
    "trigger": _("déclencheur"),
    "until": _("jusqu'au"),
    "value": _("valeur"),
    "roles": _("rôles"),
    "superuser": _("super-utilisateur"),
    "amount_at_stake": _("montant en jeu"),
    "statement": _("déclaration du client"),
    "attachments": _("pièces jointes"),
    "threshold": _("seuil d'approbation"),
    "receipt": _("réception"),
    "scrapped_cost": _("coût mis au rebut"),
    "kind": _("type"),
    "credit_notes": _("avoirs"),
    "invoice_total": _("montant refacturé HT"),
    "pending_repairs": _("en réparation"),
    "before": _("avant"),
    "after": _("après"),
    "username": _("compte"),
    "ip_address": _("adresse IP"),
    "failures": _("échecs"),
    "tokens_revoked": _("jetons révoqués"),
    "prefix": _("jeton"),
    "expires_at": _("expire le"),
    "user": _("utilisateur"),
    "cumulated_at_stake": _("montant cumulé en jeu"),
    "opened_by": _("ouvert par"),
    "disposition": _("destination"),
    "inspection": _("contrôle"),
    "quantity": _("quantité"),
    "sku": _("référence"),
}

# Values of these keys are amounts in euros.
AUDIT_AMOUNT_KEYS = {
    "total",
    "untaxed",
    "vat",
    "amount",
    "price",
    "cost_of_goods",
    "deposits_deducted",
    "amount_at_stake",
    "threshold",
    "scrapped_cost",
    "invoice_total",
    "cumulated_at_stake",
    "value",
}

# Events whose "total" is the amount including VAT (a credit note's draft holds its total TTC).
AUDIT_TOTAL_INCL_VAT = {"invoice.issued", "credit_note.drafted"}

AUDIT_OBJECT_TYPES = {
    "parties.customer": _("Client"),
    "parties.company": _("Société"),
    "catalog.product": _("Produit"),
    "sales.quote": _("Devis"),
    "sales.order": _("Commande"),
    "stock.receipt": _("Réception"),
    "stock.delivery": _("Livraison"),
    "billing.invoice": _("Facture"),
    "payments.payment": _("Règlement"),
    "returns.returncase": _("Dossier de retour"),
    "auth.user": _("Utilisateur"),
    "returns.returnpolicy": _("Règles de retour"),
    "accounting.fiscalyear": _("Exercice comptable"),
}

# object_type → URL name of its detail page.
AUDIT_OBJECT_URLS = {
    "parties.customer": "web:customer_detail",
    "catalog.product": "web:product_detail",
    "sales.quote": "web:quote_detail",
    "sales.order": "web:order_detail",
    "stock.delivery": "web:delivery_detail",
    "stock.receipt": "web:receipt_detail",
    "billing.invoice": "web:invoice_detail",
    "payments.payment": "web:payment_detail",
    "returns.returncase": "web:return_detail",
    "auth.user": "web:settings_user_detail",
}

DELIVERY_PROGRESS = {
    progress.NOT_STARTED: _("Non livrée"),
    progress.PARTIAL: _("Partiellement livrée"),
    progress.DONE: _("Livrée"),
}

INVOICING_PROGRESS = {
    progress.NOT_STARTED: _("Non facturée"),
    progress.PARTIAL: _("Partiellement facturée"),
    progress.DONE: _("Facturée"),
}

PAYMENT_STATES = {
    "open": _("Non réglée"),
    "partial": _("Partiellement réglée"),
    "paid": _("Réglée"),
    "overdue": _("En retard"),
}


def payment_chip(invoice, today=None) -> tuple[str, str] | None:
    """(css status, French label) of the payment state of an issued invoice annotated with
    `amount_paid`; None for a draft or a cancelled invoice."""
    if invoice.status != "issued" or getattr(invoice, "kind", "invoice") == "credit_note":
        return None
    today = today or timezone.localdate()
    state = payment_view.payment_status(invoice.total, invoice.amount_paid)
    if state != payment_view.PAID and invoice.due_date and invoice.due_date < today:
        state = "overdue"
    return state, str(PAYMENT_STATES[state])


# What each permission code allows, for the table of roles (settings). A code missing here is shown as is.
# The permissions in words (settings › roles table, refusals): kept beside the permissions themselves.
PERMISSION_LABELS = permissions.PERMISSION_LABELS
