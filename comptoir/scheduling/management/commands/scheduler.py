import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections

from comptoir.scheduling import services

log = logging.getLogger("comptoir.scheduling")


class Command(BaseCommand):
    help = (
        "Planificateur : toutes les COMPTOIR_SCHEDULER_TICK secondes (30 par défaut), met en file les tâches "
        "planifiées arrivées à échéance (exécutées par « comptoir db-worker »). Plusieurs planificateurs "
        "peuvent tourner : chaque échéance n'est mise en file qu'une fois."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Un seul passage, puis quitter (tests, cron)."
        )
        parser.add_argument("--tick", type=int, default=None, help="Secondes entre deux passages.")

    def handle(self, *args, **options):
        tick = max(options["tick"] or settings.SCHEDULER_TICK, 1)
        if options["once"]:
            self._pass()
            return
        stopping = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.append(True))
        self.stdout.write(f"Planificateur démarré (passage toutes les {tick} s).")
        while not stopping:
            started = time.monotonic()
            try:
                self._pass()
            except Exception:  # a database hiccup must not kill the scheduler: log, wait, try again
                log.exception("scheduler tick failed")
            finally:
                connections.close_all()
            while not stopping and time.monotonic() - started < tick:
                time.sleep(min(1.0, tick))
        self.stdout.write("Planificateur arrêté.")

    def _pass(self):
        enqueued = services.tick()
        if enqueued:
            self.stdout.write("Mis en file : " + ", ".join(enqueued))
