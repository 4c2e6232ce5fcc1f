"""Sign-in throttling (django-axes): who is locked out, and the audited unlock.

django-axes records each failed sign-in (`axes.AccessAttempt`, one row per username, address and
browser) and refuses to check a password once an account or an address has failed
`AXES_FAILURE_LIMIT` times within `AXES_COOLOFF_TIME` (settings.py says why these values); the lock
lifts by itself after the cool-off. This module reads the same rows to say who is locked out, and
`unlock` lifts a lock earlier: direction or an administrator (`login.unlock`), one transaction, one
audit event.

API tokens are not passwords: the bearer authentication never goes through `authenticate()`, so a
locked-out account keeps its tokens (revoke them with `core.tokens` if they are the problem).
"""

import datetime
from dataclasses import dataclass

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from comptoir.core import audit, permissions
from comptoir.core.errors import Conflict
from comptoir.core.errors import fail as _fail

UNLOCK_TARGET = (
    "unlock_target_required",
    N_("Indiquez le compte ou l'adresse IP à débloquer (l'un ou l'autre)."),
)
INVALID_ADDRESS = ("invalid_ip_address", N_("« %(value)s » n'est pas une adresse IP."))
NOT_LOCKED = (
    "login_not_locked",
    N_("Aucune tentative de connexion échouée récente pour « %(target)s » : rien à débloquer."),
)

ACCOUNT = "username"
ADDRESS = "ip_address"


class SignInThrottle(AxesStandaloneBackend):
    """Axes' check before the password is: a locked-out account or address is refused, right password or not.

    A password checked without a request (code calling `authenticate(username=…, password=…)` itself,
    Django's test client `login()`) is not a sign-in from the network: it has no address to throttle,
    and axes would raise on it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def client_address(request) -> str | None:
    """The address a sign-in comes from. Behind `COMPTOIR_PROXY_COUNT` reverse proxies it is read from
    X-Forwarded-For (the entry the first proxy wrote), otherwise every user would share the proxy's
    address and one person's typos would lock the whole company out."""
    count = settings.COMPTOIR_PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


def cool_off() -> datetime.timedelta:
    return settings.AXES_COOLOFF_TIME


def cool_off_minutes() -> int:
    return int(cool_off().total_seconds() // 60)


@dataclass(frozen=True)
class Lockout:
    kind: str  # ACCOUNT or ADDRESS
    value: str
    failures: int
    last_attempt: datetime.datetime

    @property
    def lifts_at(self) -> datetime.datetime:
        """At the latest: the lock lifts once the failures it counts are older than the cool-off."""
        return self.last_attempt + cool_off()


def _recent():
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off())


def lockouts() -> list[Lockout]:
    """Accounts and addresses locked out now (as axes counts: failures within the cool-off)."""
    found = []
    for kind in (ACCOUNT, ADDRESS):
        rows = _recent().exclude(**{f"{kind}__isnull": True})
        if kind == ACCOUNT:
            rows = rows.exclude(username="")  # (an address field compares "" as NULL)
        rows = (
            rows.values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last")
        )
        found += [Lockout(kind, row[kind], row["failures"], row["last"]) for row in rows]
    return found


def lockout_of(username: str) -> Lockout | None:
    return next((lock for lock in lockouts() if lock.kind == ACCOUNT and lock.value == username), None)


@transaction.atomic
def unlock(*, by, username: str = "", ip_address: str = "") -> int:
    """Forget the failed sign-ins of an account (from every address) or of an address (for every
    account); returns how many failures were forgotten. `by=None` is the server's command line."""
    if by is not None:
        permissions.require(by, "login.unlock")
    username, ip_address = (username or "").strip(), (ip_address or "").strip()
    if bool(username) == bool(ip_address):
        _fail(UNLOCK_TARGET)
    if ip_address:
        try:
            validate_ipv46_address(ip_address)
        except ValidationError:
            _fail(INVALID_ADDRESS, value=ip_address[:60])
    kind, value = (ACCOUNT, username) if username else (ADDRESS, ip_address)
    attempts = AccessAttempt.objects.select_for_update().filter(**{kind: value})
    failures = sum(
        attempt.failures_since_start
        for attempt in attempts
        if attempt.attempt_time >= timezone.now() - cool_off()
    )
    if not failures:
        code, message = NOT_LOCKED
        raise Conflict(code, message, target=value[:60])
    attempts.delete()
    data = {kind: value, "failures": failures}
    if kind == ACCOUNT:
        user = get_user_model().objects.filter(username=username).first()
        if user is not None:
            audit.record("login.unlocked", by=by, obj=user, data=data)
        else:  # a name someone tried that is no account
            audit.record(
                "login.unlocked",
                by=by,
                object_type="login.account",
                object_id=username[:40],
                object_repr=username,
                data=data,
            )
    else:
        audit.record(
            "login.unlocked",
            by=by,
            object_type="login.address",
            object_id=ip_address,
            object_repr=ip_address,
            data=data,
        )
    return failures
