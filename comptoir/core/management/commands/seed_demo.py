from django.core.management.base import BaseCommand, CommandError

from comptoir.demo.generator import DEMO_PASSWORD, DemoInterrupted, seed_demo


class Command(BaseCommand):
    help = (
        "Charge des données de démonstration (société, clients, catalogue, un an de ventes) par les "
        "services métier. Sans effet si une société est déjà configurée."
    )
    # Like createsuperuser: no need to import every URL and template to run this.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=12, help="mois d'historique (12)")
        parser.add_argument("--customers", type=int, default=30, help="nombre de clients (30)")
        parser.add_argument("--products", type=int, default=100, help="nombre de produits (100)")
        parser.add_argument("--seed", type=int, default=42, help="graine du générateur (42)")
        parser.add_argument("--no-progress", action="store_true", help="sans barre de progression")

    def handle(self, *args, months, customers, products, seed, no_progress, **options):
        if months < 1 or customers < 1 or products < 2:
            raise CommandError("Il faut au moins 1 mois, 1 client et 2 produits.", returncode=2)
        try:
            result = seed_demo(
                months=months, customers=customers, products=products, seed=seed, progress=not no_progress
            )
        except DemoInterrupted as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.message)
        if not result.created:
            return
        self.stdout.write(f"{result.summary} (en {result.seconds:.1f} s).")
        self.stdout.write(
            f"Connectez-vous avec « demo » / « {DEMO_PASSWORD} » (et commercial, adv, logistique, compta, direction)."
        )
