import pytest

from comptoir.core.permissions import Role
from comptoir.core.testing import make_company, make_customer, make_product, make_user


@pytest.fixture(autouse=True, scope="session")
def _audit_key(tmp_path_factory):
    """Tests seal the audit chain with a fixed key and keep checkpoints in a temporary folder, never in
    var/ (a developer's demo key and checkpoints stay theirs)."""
    from django.conf import settings

    from comptoir.core import audit_key

    settings.AUDIT_KEY = "5e" * 32
    settings.AUDIT_KEY_SINCE = 1
    settings.AUDIT_CHECKPOINT_FILE = tmp_path_factory.mktemp("audit") / "checkpoints.jsonl"
    audit_key.forget()
    yield


@pytest.fixture(autouse=True, scope="session")
def _no_first_run_gate():
    """Most tests build only what they need, often without a company: the first-run gate (every page
    redirected to /premiers-pas/ while no company exists) is off, and the `first_run_gate` fixture turns
    it on for the tests of the first run."""
    from django.conf import settings

    settings.FIRST_RUN_REDIRECT = False
    yield


@pytest.fixture
def first_run_gate():
    from django.conf import settings

    from comptoir.web import first_run

    settings.FIRST_RUN_REDIRECT = True
    first_run.forget()
    yield
    settings.FIRST_RUN_REDIRECT = False
    first_run.forget()


@pytest.fixture(autouse=True)
def _fresh_checkpoints():
    """Checkpoints attest one database: a test's must not outlive it."""
    yield
    from django.conf import settings

    settings.AUDIT_CHECKPOINT_FILE.unlink(missing_ok=True)


@pytest.fixture(autouse=True, scope="session")
def _flush_under_the_owner():
    """Transactional tests end with a flush (TRUNCATE on PostgreSQL, DELETE FROM on SQLite) of tables
    whose triggers refuse it: the issued invoices, posted entries, payments… The test database's
    owner lifts them for the flush, as only an owner can (core.guards)."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from comptoir.core import guards

    flush = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with guards.suspended(using=self.connection.alias):
            flush(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = flush


@pytest.fixture(autouse=True)
def _chart_of_accounts(request):
    """Transactional tests flush every table, the seeded chart of accounts included: re-seed it for
    whichever database test comes next."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if uses_db:
        marker = request.node.get_closest_marker("django_db")
        transactional = (
            bool(marker and marker.kwargs.get("transaction")) or "transactional_db" in request.fixturenames
        )
        request.getfixturevalue("transactional_db" if transactional else "db")
        from comptoir.accounting.chart import ensure_seeded

        ensure_seeded()
    yield


@pytest.fixture(autouse=True)
def _forget_ledger_ids():
    # Account ids are cached per process; test databases are rebuilt, so start clean each test.
    from comptoir.accounting.services import forget_cached_ids

    forget_cached_ids()
    yield
    forget_cached_ids()


@pytest.fixture
def admin_user(db):
    return make_user("admin", Role.ADMIN)


@pytest.fixture
def boss(db):
    """A direction user: may do every business action."""
    return make_user("direction", Role.DIRECTION)


@pytest.fixture
def company(admin_user):
    return make_company(admin_user)


@pytest.fixture
def customer(boss, company):
    return make_customer(boss, name="Menuiserie Martin SARL", siren="542107651")


@pytest.fixture
def product(boss):
    return make_product(
        boss, sku="REF-88", name="Perceuse à percussion", sale_price="120.00", purchase_cost="70.00"
    )


@pytest.fixture
def service_product(boss):
    return make_product(
        boss, sku="SRV-INST", name="Installation sur site", sale_price="450.00", kind="service"
    )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test databases on PostgreSQL commit without waiting for the disk (`synchronous_commit=off`):
    a crash can lose their last transactions, which a test database never needs, and the transactional
    tests, which commit at every statement, stop paying a WAL flush each time. Set per connection, so the
    server's own settings and every other database stay as they are."""
    from django.db import connections

    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if settings_dict["ENGINE"].startswith("django.db.backends.postgresql"):
            options = settings_dict.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
