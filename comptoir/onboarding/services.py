"""The first run: a real company set up in one transaction (identity, bank, VAT regime, fiscal year,
numbering, payment terms, users), from `comptoir setup-company` or the first-run screen.

It calls each area's own service — parties.configure_company, core.users.create_user,
accounting.open_fiscal_year — so a set-up obeys exactly the rules of the settings pages, and writes one
`company.set_up` event that sums it up. Nothing of the demo is involved: the demo generator
(comptoir/demo) refuses to run once a company exists, and a set-up refuses to run once one does.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction

from comptoir.accounting import services as accounting
from comptoir.core import audit, permissions
from comptoir.core import users as accounts
from comptoir.core.errors import Conflict
from comptoir.core.errors import fail as _fail
from comptoir.core.management import accounts as bootstrap
from comptoir.core.permissions import Role
from comptoir.onboarding import errors
from comptoir.onboarding.plan import SetupPlan
from comptoir.parties import services as parties
from comptoir.parties.models import Company

FIRST_USER_ROLES = (Role.DIRECTION, Role.ADMIN)


@dataclass
class SetupResult:
    company: Company
    fiscal_year: object
    users: list


def is_set_up() -> bool:
    return Company.objects.exists()


@transaction.atomic
def set_up_company(plan: SetupPlan, *, by=None) -> SetupResult:
    """Create the company, open its fiscal year and create its users, all or nothing.

    `by` is the signed-in administrator; None is the server's operator (`comptoir setup-company`) or the
    very first visitor of a database without any user (the first-run screen): the plan's first user then
    becomes the administrator (roles direction and admin) and acts for the rest of the set-up."""
    _lock_company_table()
    existing = Company.objects.select_for_update().first()
    if existing is not None:
        raise Conflict(*errors.ALREADY_SET_UP, name=existing.legal_name)
    if by is not None:
        permissions.require(by, "company.manage")
        permissions.require(by, "user.manage")
    elif not plan.users:
        _fail(errors.USER_REQUIRED)
    actor, created = by, []
    for entry in plan.users:
        if actor is None:
            actor = _first_administrator(entry)
            created.append(actor)
        else:
            created.append(
                accounts.create_user(
                    by=actor,
                    username=entry.username,
                    password=entry.password,
                    roles=entry.roles,
                    first_name=entry.first_name,
                    last_name=entry.last_name,
                    email=entry.email,
                )
            )
    company = parties.configure_company(by=actor, **plan.company)
    year = accounting.open_fiscal_year(plan.open_fiscal_year_on, by=actor)
    audit.record(
        "company.set_up",
        by=actor,
        obj=company,
        data={
            "fiscal_year": year.name,
            "users": [user.get_username() for user in created],
            "fields": sorted(plan.company),
        },
    )
    return SetupResult(company, year, created)


def _lock_company_table() -> None:
    """Two first runs at once (two browsers on a new installation) must not make two companies: with no
    row to lock yet, the table itself is locked on PostgreSQL, so the second waits and then finds the
    first's company. SQLite's transactions already write one at a time (IMMEDIATE, settings)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{Company._meta.db_table}" IN SHARE ROW EXCLUSIVE MODE')


def _first_administrator(entry):
    """The first account, made by the bootstrap path of `create-user` (nobody holds `user.manage` yet),
    checked like any other account (name, e-mail, password strength, roles)."""
    User = get_user_model()
    username = (entry.username or "").strip()
    if not username:
        _fail(accounts.USERNAME_REQUIRED)
    try:
        User.username_validator(username)
    except ValidationError:
        _fail(accounts.INVALID_USERNAME, value=username[:40])
    if len(username) > accounts.MAX_NAME_LENGTH:
        _fail(accounts.INVALID_USERNAME, value=username[:40])
    if User.objects.filter(username__iexact=username).exists():
        _fail(accounts.DUPLICATE_USERNAME, value=username)
    if entry.email:
        try:
            validate_email(entry.email)
        except ValidationError:
            _fail(accounts.INVALID_EMAIL, value=entry.email[:80])
    try:
        validate_password(entry.password or "", user=User(username=username, email=entry.email))
    except ValidationError as exc:
        _fail(accounts.WEAK_PASSWORD, reasons=" ".join(exc.messages))
    roles = list(dict.fromkeys([*FIRST_USER_ROLES, *entry.roles]))
    try:
        user = bootstrap.create_user(username, roles=roles, password=entry.password, email=entry.email)
    except bootstrap.AccountError as exc:
        _fail(errors.FIRST_USER_REFUSED, reason=str(exc))
    user.first_name = entry.first_name[: accounts.MAX_NAME_LENGTH]
    user.last_name = entry.last_name[: accounts.MAX_NAME_LENGTH]
    user.save(update_fields=["first_name", "last_name"])
    return user
