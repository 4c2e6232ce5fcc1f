from comptoir.mailing.tests.smtp import no_smtp_server, smtp_server  # noqa: F401 (fixtures)
