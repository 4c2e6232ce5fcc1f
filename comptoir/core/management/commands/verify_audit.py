from django.core.management.base import BaseCommand

from comptoir.core.audit import verify_chain


class Command(BaseCommand):
    help = "Vérifie la chaîne de hachage du journal d'audit (code de sortie 1 si elle est rompue)."
    # Like createsuperuser: no need to import every URL and template to run this.
    requires_system_checks = []

    def handle(self, *args, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"Journal d'audit intègre : {report.checked} événements vérifiés.")
            return
        self.stderr.write(
            f"Journal d'audit altéré à l'événement n° {report.broken_at_seq} : {report.reason} "
            f"({report.checked} événements intègres avant lui)."
        )
        raise SystemExit(1)
