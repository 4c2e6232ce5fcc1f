"""`comptoir agent run|enqueue`: one pass of the billing agent now, or queued for the worker."""

import json

from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Agent de facturation : « run » fait un passage maintenant (brouillons de facture, propositions, "
        "relances) ; « enqueue » le met en file pour « comptoir db-worker » ; « customers » propose les "
        "suivis des clients à surveiller."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run", "enqueue", "customers"])

    def handle(self, *args, action, **options):
        if action == "enqueue":
            from comptoir.assistant.tasks import run_billing_agent

            result = run_billing_agent.enqueue()
            self.stdout.write(f"Passage de l'agent mis en file (tâche {result.id}).")
            return
        from comptoir.assistant import services

        try:
            run = services.run_agent(by=None, trigger="cli", customers_only=action == "customers")
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            json.dumps({"run": run.pk, "seconds": round(seconds, 2), **run.stats}, sort_keys=True)
        )
        for problem in run.problems:
            self.stdout.write(f"  {problem['document']} : {problem['message']}")
