"""The periodic jobs Comptoir knows, in code: what each does and its schedule until someone changes it.

A job is a plain callable (or a django-tasks task) named by its dotted path; the scheduler never calls it
itself: it enqueues `scheduling.tasks.run_job(name)`, and the worker (`comptoir db-worker`) runs it inside
the wrapper that records the run, retries and keeps the error in sight. Adding a job (mailbox polling,
e-mail sending, imports…) is one entry below; `services.sync_jobs()` creates its row with the default
schedule the next time the scheduler or the jobs page starts.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_noop as N_

from comptoir.scheduling.schedule import Schedule


@dataclass(frozen=True)
class JobSpec:
    name: str
    label: str  # French, translated on the page (gettext_noop)
    path: str  # dotted path of the callable (a function or a django-tasks Task)
    default: Schedule
    max_attempts: int = 3
    description: str = ""


JOBS: dict[str, JobSpec] = {
    spec.name: spec
    for spec in (
        JobSpec(
            "billing_agent",
            N_("Agent de facturation"),
            "comptoir.assistant.tasks.run_billing_agent",
            Schedule(cron="0 2 * * *"),
            description=N_("Brouillons, contrôles et propositions de la nuit."),
        ),
        JobSpec(
            "payment_reminders",
            N_("Relances de paiement"),
            "comptoir.assistant.tasks.propose_payment_reminders",
            Schedule(cron="0 7 * * 1-5"),
            description=N_("Propose les relances des factures échues (l'envoi reste approuvé)."),
        ),
        JobSpec(
            "customer_follow_ups",
            N_("Clients à surveiller"),
            "comptoir.assistant.tasks.propose_customer_follow_ups",
            Schedule(cron="0 6 * * 1"),
            description=N_(
                "Propose un suivi (appel, liste de prix, conditions de paiement) pour chaque client à "
                "risque ou qui perd de l'argent ; ouvrir le suivi reste approuvé."
            ),
        ),
        JobSpec(
            "audit_checkpoint",
            N_("Point de contrôle du journal d'audit"),
            "comptoir.core.checkpoints.scheduled",
            Schedule(cron="30 23 * * *"),
            description=N_("Atteste la fin du journal d'audit hors de la base."),
        ),
        JobSpec(
            "intake_mail",
            N_("Relève de la boîte aux lettres"),
            "comptoir.intake.mailbox.scheduled",
            Schedule(interval=300),
            description=N_(
                "Les commandes reçues par e-mail (COMPTOIR_INTAKE_IMAP_*) : pièces jointes et texte des "
                "messages deviennent des documents à vérifier."
            ),
        ),
        JobSpec(
            "backup",
            N_("Sauvegarde"),
            "comptoir.scheduling.backup.scheduled",
            Schedule(cron="0 3 * * *"),
            max_attempts=2,
            description=N_("Base, fichiers et manifeste dans COMPTOIR_BACKUP_DIR, avec rétention."),
        ),
    )
}


def get(name: str) -> JobSpec | None:
    return JOBS.get(name)
