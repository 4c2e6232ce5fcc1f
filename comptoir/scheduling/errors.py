"""Stable codes and French messages of the scheduling app."""

from django.utils.translation import gettext_noop as N_

UNKNOWN_JOB = ("job_unknown", N_("Tâche planifiée inconnue : %(name)s."))
INVALID_SCHEDULE = ("job_schedule_invalid", N_("Planification refusée : %(reason)s"))
BACKUP_DIR_NOT_EMPTY = ("backup_dir_not_empty", N_("Le dossier %(path)s existe déjà et n'est pas vide."))
RESTORE_TARGET_NOT_EMPTY = (
    "restore_target_not_empty",
    N_(
        "La base de destination contient déjà des données : la restauration ne se fait que dans une base vide."
    ),
)
BACKUP_CORRUPT = ("backup_corrupt", N_("Sauvegarde invalide : %(reason)s"))
