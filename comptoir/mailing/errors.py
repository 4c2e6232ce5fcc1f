from django.utils.translation import gettext_noop as N_

NO_RECIPIENT = ("email_no_recipient", N_("Indiquez au moins un destinataire."))
INVALID_ADDRESS = (
    "email_invalid_address",
    N_(
        "« %(address)s » n'est pas une adresse e-mail valide : corrigez-la (séparez plusieurs adresses par des virgules)."
    ),
)
SUBJECT_MISSING = ("email_subject_missing", N_("Indiquez l'objet du message."))
NOT_SENDABLE = ("email_document_not_sendable", N_("Ce document ne s'envoie pas par e-mail."))
USER_WITHOUT_EMAIL = (
    "email_user_without_address",
    N_(
        "Votre compte n'a pas d'adresse e-mail : renseignez-la dans « Mon compte » pour recevoir l'e-mail de test."
    ),
)
# Why a server did not take a message; stored on the attempt and shown as is.
RECIPIENT_REFUSED = (
    "email_recipient_refused",
    N_(
        "Le serveur de messagerie a refusé le destinataire %(recipients)s (%(reply)s). Vérifiez l'adresse puis réessayez."
    ),
)
# The server took the message for the other recipients: it was sent, and this says who did not get it.
PARTLY_REFUSED = (
    "email_recipient_partly_refused",
    N_(
        "Envoyé, mais le serveur de messagerie a refusé %(recipients)s (%(reply)s) : ce destinataire ne l'a "
        "pas reçu. Vérifiez l'adresse et renvoyez-le-lui."
    ),
)
SENDER_REFUSED = (
    "email_sender_refused",
    N_(
        "Le serveur de messagerie a refusé l'expéditeur %(sender)s (%(reply)s). Vérifiez COMPTOIR_FROM_EMAIL."
    ),
)
AUTHENTICATION_FAILED = (
    "email_authentication_failed",
    N_(
        "Le serveur de messagerie a refusé l'identifiant ou le mot de passe (%(reply)s). Vérifiez COMPTOIR_EMAIL_USER et COMPTOIR_EMAIL_PASSWORD."
    ),
)
SERVER_UNREACHABLE = (
    "email_server_unreachable",
    N_(
        "Le serveur de messagerie %(host)s:%(port)s ne répond pas (%(error)s). Vérifiez COMPTOIR_EMAIL_HOST et COMPTOIR_EMAIL_PORT, puis réessayez."
    ),
)
SERVER_REFUSED = (
    "email_server_refused",
    N_("Le serveur de messagerie n'a pas accepté le message (%(reply)s). Réessayez plus tard."),
)
CUSTOMER_WITHOUT_EMAIL = (
    "email_customer_without_address",
    N_("%(customer)s n'a pas d'adresse e-mail : renseignez-la sur sa fiche client, puis envoyez à nouveau."),
)
