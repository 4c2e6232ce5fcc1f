"""Factories shared by the test suites of every app (and by the benchmark): real services only."""

import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from comptoir.core.permissions import ALL_ROLES

_counter = itertools.count(1)

# Valid French identifiers (Luhn-checked) for fixtures.
SIRENS = ["732829320", "542107651", "552032534", "409251261", "383474814", "443061841", "652014051"]


def make_user(username: str | None = None, *roles: str, password: str = "pass-1234"):
    User = get_user_model()
    username = username or f"user{next(_counter)}"
    user = User.objects.create_user(username=username, password=password, email=f"{username}@example.fr")
    for role in roles:
        if role not in ALL_ROLES:
            raise ValueError(role)
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    return user


def make_company(by, **overrides):
    from comptoir.parties.services import configure_company

    fields = {
        "legal_name": "Outillage Durand SAS",
        "legal_form": "SAS",
        "siren": "732829320",
        "siret": "73282932000074",
        "vat_number": "FR44732829320",
        "street": "12 rue des Forges",
        "postal_code": "69007",
        "city": "Lyon",
        "rcs_city": "Lyon",
        "share_capital": Decimal("50000"),
        "iban": "FR7630006000011234567890189",
        "bic": "BNPAFRPP",
    }
    company = configure_company(by=by, **(fields | overrides))
    open_fiscal_years(by)
    return company


def open_fiscal_years(by, *, back: int = 1) -> None:
    """Open the fiscal year in progress and the `back` years before it, as the accountant of a company in
    business would have (a test dated a few days back in early January lands in the previous year).
    Years already open are left alone."""
    import datetime

    from comptoir.accounting.models import FiscalYear
    from comptoir.accounting.services import open_fiscal_year
    from comptoir.core import dates

    day = dates.today()
    for _ in range(back + 1):
        year = FiscalYear.objects.filter(start_date__lte=day, end_date__gte=day).first()
        if year is None:
            year = open_fiscal_year(day, by=by)
        day = year.start_date - datetime.timedelta(days=1)


def make_customer(by, **overrides):
    from comptoir.parties.services import create_customer

    n = next(_counter)
    fields = {
        "name": f"Client {n} SARL",
        "siren": SIRENS[n % len(SIRENS)],
        "city": "Paris",
        "postal_code": "75011",
    }
    return create_customer(by=by, **(fields | overrides))


def make_product(by, **overrides):
    from comptoir.catalog.services import create_product

    n = next(_counter)
    fields = {
        "sku": f"REF-{n:04d}",
        "name": f"Article {n}",
        "sale_price": Decimal("10.00"),
        "purchase_cost": Decimal("6.00"),
    }
    return create_product(by=by, **(fields | overrides))


def start_ids_at(model, next_id: int) -> None:
    """Make the next row of `model` get `next_id`, as in a company whose books are years old: pages
    must keep working once ids have four digits and more (a localised "1 234" in a form field broke
    them once). Portable across SQLite and PostgreSQL, inside the test's transaction."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [table, next_id])
        else:
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, next_id - 1])


def tamper(sql: str, params=()) -> None:
    """Change the database the way a person with a SQL prompt and every right would: the database's own
    guards (triggers) lifted for that one statement (`core.guards`). Tests of what verification catches."""
    from django.db import connection

    from comptoir.core import guards

    with guards.suspended(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def statements_waiting_for_locks() -> list[str]:
    """PostgreSQL: the statements the other sessions of this database are waiting in for a lock. Read
    afresh each time: inside a transaction, PostgreSQL would otherwise keep showing what it saw first."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid() ORDER BY query"
        )
        return [row[0] for row in cursor.fetchall()]


def run_second_while_first_waits(first, second, *, held, first_waits_on: str, second_waits_on: str) -> list:
    """PostgreSQL: hold the rows of `held` (a queryset, locked FOR UPDATE on this connection), run `first`
    in a thread until it waits in a statement on table `first_waits_on`, then `second` in another until it
    waits in one on `second_waits_on`; then release, and return what each returned (or raised).
    Each thread has its own connection, closed at its end."""
    import threading

    from django.db import connections, transaction

    results = [None, None]

    def run(i, action):
        try:
            results[i] = action()
        except Exception as exc:  # handed back to the test
            results[i] = exc
        finally:
            connections.close_all()

    def waiting_on() -> list[str]:
        tables = (first_waits_on, second_waits_on)
        return sorted({t for sql in statements_waiting_for_locks() for t in tables if t in sql})

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate((first, second))]
    with transaction.atomic():
        list(held.select_for_update())
        threads[0].start()
        assert wait_until(lambda: waiting_on() == [first_waits_on]), statements_waiting_for_locks()
        threads[1].start()
        assert wait_until(lambda: waiting_on() == sorted({first_waits_on, second_waits_on})), (
            statements_waiting_for_locks()
        )
    for thread in threads:
        thread.join()
    return results


def wait_until(condition, timeout: float = 30.0) -> bool:
    """Poll `condition` until it holds (True) or `timeout` seconds have passed (False): for tests that
    watch another connection reach a lock."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False
