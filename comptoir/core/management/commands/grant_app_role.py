"""`comptoir grant-app-role ROLE`: the PostgreSQL role the application runs under gets what Comptoir
needs and nothing more.

The triggers that keep issued documents, posted entries and money documents as they are can be turned
off by a superuser or by the owner of the tables (ALTER TABLE … DISABLE TRIGGER), and TRUNCATE is a
privilege of its own. So migrations run as the owner, and the application connects as a role that owns
nothing and may only read and write rows: SELECT, INSERT, UPDATE, DELETE on the tables, USAGE and SELECT
on the sequences. Run by the owner after every `migrate` (new tables need their grants); running it again
changes nothing.
"""

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$-]{0,62}$")

# Tables, partitioned tables, views, materialized views, sequences of the current schema.
_RELATIONS = (
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
)


class Command(BaseCommand):
    help = (
        "Donne au rôle PostgreSQL de l'application les seuls droits dont Comptoir a besoin (lire et écrire "
        "des lignes ; ni TRUNCATE, ni propriété des tables). À lancer par le propriétaire après migrate."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("role", help="rôle PostgreSQL existant sous lequel l'application se connecte")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, role: str, database: str, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("grant-app-role ne concerne que PostgreSQL.")
        if not ROLE_NAME.match(role):
            raise CommandError(f"Nom de rôle refusé : « {role} » (lettres, chiffres, _ $ -).")
        with transaction.atomic(using=database), connection.cursor() as cursor:
            tables, sequences = self._grant(cursor, role, connection.ops.quote_name)
        self.stdout.write(
            f"Rôle « {role} » : lecture et écriture des lignes de {tables} tables, {sequences} séquences ; "
            "ni TRUNCATE, ni propriétaire, ni superutilisateur."
        )

    def _grant(self, cursor, role: str, quote) -> tuple[int, int]:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            raise CommandError(
                f"Le rôle « {role} » n'existe pas : créez-le d'abord (CREATE ROLE … LOGIN PASSWORD …)."
            )
        if found[0] or found[1]:
            raise CommandError(
                f"Le rôle « {role} » est superutilisateur : il pourrait désactiver les garde-fous."
            )
        # Owning a table, or belonging to the role that owns it, allows ALTER TABLE … DISABLE TRIGGER.
        cursor.execute(
            f"SELECT c.relname {_RELATIONS} AND pg_has_role(%s, c.relowner, 'MEMBER') ORDER BY 1", [role]
        )
        owned = [name for (name,) in cursor.fetchall()]
        if owned:
            raise CommandError(
                f"Le rôle « {role} » est propriétaire (ou membre du propriétaire) de {', '.join(owned[:5])}"
                f"{'…' if len(owned) > 5 else ''} : les migrations tournent sous un autre rôle que l'application."
            )
        cursor.execute("SELECT current_schema()")
        schema, name = quote(cursor.fetchone()[0]), quote(role)
        for sql in (
            f"GRANT USAGE ON SCHEMA {schema} TO {name}",
            f"REVOKE CREATE ON SCHEMA {schema} FROM {name}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {name}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {name}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {name}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {name}",
        ):
            cursor.execute(sql)
        # What the role may still do through PUBLIC or another role it belongs to.
        cursor.execute(
            f"SELECT c.relname {_RELATIONS} AND c.relkind <> 'S' AND (has_table_privilege(%s, c.oid, 'TRUNCATE') "
            "OR has_table_privilege(%s, c.oid, 'TRIGGER')) ORDER BY 1",
            [role, role],
        )
        loose = [name for (name,) in cursor.fetchall()]
        if loose:
            raise CommandError(
                f"Le rôle « {role} » peut encore vider ou modifier les déclencheurs de {', '.join(loose[:5])} "
                "par PUBLIC ou un autre rôle : retirez ces droits (REVOKE TRUNCATE, TRIGGER …)."
            )
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE c.relkind <> 'S'), count(*) FILTER (WHERE c.relkind = 'S') {_RELATIONS}"
        )
        return cursor.fetchone()
