"""`comptoir serve`: Comptoir behind the production server (gunicorn, threaded workers).

Workers, threads, address and timeout come from the environment (COMPTOIR_WORKERS, COMPTOIR_THREADS,
COMPTOIR_BIND, COMPTOIR_TIMEOUT; settings.py) or the options. Static files are served by WhiteNoise.
It refuses to start with the development secret key or debug on (core/deployment.py). A graceful
reload (new code, new settings, no request dropped): `kill -HUP <pid of the master>`; a graceful stop:
SIGTERM. The access log goes to the standard error with each request's id, as JSON when
COMPTOIR_LOG_FORMAT=json (settings.LOGGING)."""

import copy

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comptoir.core import deployment

# Each access line: client, request line, status, size, duration (ms) and the request id Comptoir gave.
ACCESS_FORMAT = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'


def gunicorn_options(*, bind: str, workers: int, threads: int, timeout: int, pidfile: str | None) -> dict:
    logging_config = copy.deepcopy(settings.LOGGING)
    # gunicorn's own loggers through Comptoir's handler (text or JSON), the access log at INFO.
    logging_config.setdefault("loggers", {}).update(
        {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        }
    )
    options = {
        "bind": [address.strip() for address in bind.split(",") if address.strip()],
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": timeout,
        "graceful_timeout": 30,
        "keepalive": 5,
        # A worker is replaced after this many requests (with some jitter), so a slow leak never grows.
        "max_requests": 2000,
        "max_requests_jitter": 200,
        "accesslog": "-",
        "access_log_format": ACCESS_FORMAT,
        "logconfig_dict": logging_config,
        # The TLS proxy on this machine may say the scheme; Django reads it (SECURE_PROXY_SSL_HEADER).
        "forwarded_allow_ips": "127.0.0.1,::1",
        "proc_name": "comptoir",
    }
    if pidfile:
        options["pidfile"] = pidfile
    return options


class Command(BaseCommand):
    help = "Sert Comptoir avec le serveur de production (gunicorn) : COMPTOIR_BIND, COMPTOIR_WORKERS, COMPTOIR_THREADS."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.SERVE_BIND, help="adresse:port (COMPTOIR_BIND)")
        parser.add_argument("--workers", type=int, default=settings.SERVE_WORKERS, help="processus")
        parser.add_argument("--threads", type=int, default=settings.SERVE_THREADS, help="fils par processus")
        parser.add_argument("--timeout", type=int, default=settings.SERVE_TIMEOUT, help="secondes")
        parser.add_argument("--pidfile", default=None, help="fichier où écrire le PID du processus maître")
        parser.add_argument(
            "--check", action="store_true", help="vérifier la configuration de production et s'arrêter"
        )

    def handle(self, *args, **options):
        found = deployment.problems()
        if found:
            raise CommandError("Démarrage refusé / start refused:\n- " + "\n- ".join(found))
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("COMPTOIR_WORKERS et COMPTOIR_THREADS : 1 ou plus.")
        gunicorn = gunicorn_options(
            bind=options["bind"],
            workers=options["workers"],
            threads=options["threads"],
            timeout=options["timeout"],
            pidfile=options["pidfile"],
        )
        if options["check"]:
            self.stdout.write(
                f"OK: {gunicorn['workers']} processus × {gunicorn['threads']} fils sur {', '.join(gunicorn['bind'])}"
            )
            return
        from gunicorn.app.base import BaseApplication

        class Server(BaseApplication):
            def load_config(self):
                for key, value in gunicorn.items():
                    self.cfg.set(key, value)

            def load(self):
                from django.core.wsgi import get_wsgi_application

                return get_wsgi_application()

        Server().run()
