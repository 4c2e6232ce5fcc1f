"""Settings (Paramètres): the company, users and roles, VAT, numbering series, payment terms, return
rules and thresholds, fiscal years.

Who opens what, and why:
- The settings pages are read by `settings.view` (direction, comptabilité, admin): the company's
  identifiers, VAT set-up, numbering and payment conditions are printed on every invoice and checked by
  the accountant; reading them is harmless and saves asking an administrator.
- Changing them is the services' decision, each with its own permission: the company and payment
  conditions `company.manage` (admin), the return rules `return.configure` (direction, admin: the people
  who approve above the threshold), opening a fiscal year `accounting.open_year` and locking a period
  `accounting.close` (comptabilité, direction, admin), moving a lock back `accounting.unlock` (direction,
  admin; a written reason).
  A page shows its form only to those who may save it, and the service refuses anyone else.
- Users and roles need `user.manage` (admin only): the list holds personal data (names, e-mails, last
  sign-in) and changing roles is the key to every other permission. The same goes for a user's API
  tokens (listed, revoked) and a new password for someone who forgot theirs.
- Sign-in lockouts (accounts and addresses that failed too often) are listed and lifted by
  `login.unlock` (direction, admin): a locked-out colleague must find someone senior, not only the
  administrator.
- Fiscal years are accounting data: `accounting.view`, like the other accounting pages.
- VAT and numbering are read-only: VAT rates and categories are the law as coded in `core.vat` and
  `catalog.VatRate`; numbers are gap-free by law and never typed by hand.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from comptoir.accounting import periods
from comptoir.accounting import services as accounting
from comptoir.accounting.models import FiscalYear
from comptoir.billing import terms
from comptoir.core import approvals, dates, login_throttle, tokens
from comptoir.core import users as accounts
from comptoir.core.errors import DomainError
from comptoir.core.models import ApiToken
from comptoir.core.permissions import PERMISSIONS, ROLE_LABELS, has_perm
from comptoir.mailing import services as mailing
from comptoir.parties import selectors as parties_selectors
from comptoir.parties import series
from comptoir.parties import services as parties
from comptoir.parties.models import Company
from comptoir.returns import selectors as returns_view
from comptoir.returns import services as returns
from comptoir.returns.models import Reason
from comptoir.web import queries, settings_forms, settings_tables
from comptoir.web.account_forms import SetPasswordForm
from comptoir.web.submissions import submitted_once
from comptoir.web.views.common import action, paginate, param, perform, requires, show_form_error

COMPANY_FORM_FIELDS = tuple(settings_forms.CompanyForm.base_fields)
PAYMENT_FORM_FIELDS = tuple(settings_forms.PaymentTermsForm.base_fields)
POLICY_FORM_FIELDS = tuple(settings_forms.ReturnPolicyForm.base_fields)


def _company() -> Company | None:
    return Company.objects.first()


@requires("settings.view")
def settings_index(request):
    context = {
        "company": _company(),
        "mail_host": settings.EMAIL_HOST,
        "mail_port": settings.EMAIL_PORT,
        "mail_from": settings.DEFAULT_FROM_EMAIL,
    }
    return render(request, "web/settings/index.html", context)


@action("mail.test")
def settings_test_email(request):
    """Send a message to the user's own address: the SMTP set-up works, or the server's answer says why."""
    perform(
        request,
        lambda: mailing.send_test_email(by=request.user),
        _("E-mail de test envoyé à %(email)s.") % {"email": request.user.email},
    )
    return redirect("web:settings_index")


def _start_month(company: Company | None) -> str:
    return str(MONTHS[company.fiscal_year_start_month if company else 1])


# --- Company ------------------------------------------------------------------------------------


def _edit_company(request, form_class, fields, template, success, extra=None):
    """Company and payment-terms pages: a form for `company.manage`, a read-only card otherwise."""
    company = _company()
    may_edit = has_perm(request.user, "company.manage")
    initial = {name: getattr(company, name) for name in fields if name != "logo"} if company else {}
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        if not changes.get("logo"):
            changes.pop("logo", None)  # no new image sent: the logo in place stays
        try:
            parties.configure_company(by=request.user, **changes)
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(request, success)
            return redirect(request.path)
    context = {"form": form, "company": company, "may_edit": may_edit, "start_month": _start_month(company)}
    return render(request, template, context | (extra(company) if extra else {}))


@requires("settings.view")
def settings_company(request):
    return _edit_company(
        request,
        settings_forms.CompanyForm,
        COMPANY_FORM_FIELDS,
        "web/settings/company.html",
        _("Société enregistrée."),
    )


def _payment_terms_context(company) -> dict:
    today = timezone.localdate()
    days = parties.default_payment_days()
    return {
        "max_days": parties.MAX_PAYMENT_DAYS,
        "max_days_end_of_month": parties.MAX_PAYMENT_DAYS_END_OF_MONTH,
        "today": today,
        "default_due": terms.due_date(today, days, False),
        "max_due": terms.due_date(today, parties.MAX_PAYMENT_DAYS, False),
        "max_due_end_of_month": terms.due_date(today, parties.MAX_PAYMENT_DAYS_END_OF_MONTH, True),
        "customer_terms": settings_tables.customer_terms(),
    }


@requires("settings.view")
def settings_payment_terms(request):
    return _edit_company(
        request,
        settings_forms.PaymentTermsForm,
        PAYMENT_FORM_FIELDS,
        "web/settings/payment_terms.html",
        _("Conditions de paiement enregistrées."),
        extra=_payment_terms_context,
    )


@requires("settings.view")
def settings_company_logo(request):
    """The company's logo as stored, for the settings page (it is printed nowhere else by the browser)."""
    company = _company()
    if company is None or not company.logo:
        raise Http404
    response = HttpResponse(bytes(company.logo), content_type=company.logo_type)
    response["Cache-Control"] = "private, no-cache"
    return response


# --- Users and roles ----------------------------------------------------------------------------


@requires("user.manage")
def settings_users(request):
    q, state = param(request.GET, "q"), param(request.GET, "etat")
    state = state if state in (settings_tables.ACTIVE, settings_tables.INACTIVE) else ""
    page = paginate(request, settings_tables.users(q, state))
    for user in page.object_list:
        user.role_labels = settings_tables.role_labels_of(user)
    statuses = [(settings_tables.ACTIVE, _("Actifs")), (settings_tables.INACTIVE, _("Désactivés"))]
    return render(
        request,
        "web/settings/users.html",
        {"page_obj": page, "q": q, "etat": state, "statuses": statuses},
    )


@requires("user.manage")
@submitted_once
def settings_user_create(request):
    form = settings_forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.create_user(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(request, _("Utilisateur %(name)s créé.") % {"name": user.get_username()})
            return redirect("web:settings_user_detail", pk=user.pk)
    return render(request, "web/settings/user_form.html", {"form": form})


@requires("user.manage")
def settings_user_detail(request, pk):
    person = get_object_or_404(get_user_model(), pk=pk)
    form = settings_forms.RolesForm(request.POST or None, initial={"roles": accounts.stored_roles(person)})
    if request.method == "POST" and form.is_valid():
        try:
            accounts.set_roles(person, form.cleaned_data["roles"], by=request.user)
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(request, _("Rôles de %(name)s enregistrés.") % {"name": person.get_username()})
            return redirect("web:settings_user_detail", pk=person.pk)
    context = {
        "person": person,
        "form": form,
        "is_self": person.pk == request.user.pk,
        "events": queries.events_of(person),
        "lockout": login_throttle.lockout_of(person.get_username()),
        "tokens": tokens.tokens_of(person),
        "password_form": SetPasswordForm(),
    }
    return render(request, "web/settings/user_detail.html", context)


@action("user.manage")
def settings_user_password(request, pk):
    """An administrator sets a new password for someone who forgot theirs (their tokens are revoked)."""
    person = get_object_or_404(get_user_model(), pk=pk)
    form = SetPasswordForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("web:settings_user_detail", pk=person.pk)
    perform(
        request,
        lambda: accounts.change_password(
            person, by=request.user, new_password=form.cleaned_data["new_password"]
        ),
        _("Mot de passe de %(name)s changé ; ses jetons d'API sont révoqués. Communiquez-le-lui.")
        % {"name": person.get_username()},
    )
    return redirect("web:settings_user_detail", pk=person.pk)


@action("user.manage")
def settings_user_token_revoke(request, pk, token_pk):
    token = get_object_or_404(ApiToken, pk=token_pk, user_id=pk)
    perform(
        request,
        lambda: tokens.revoke_token(token, by=request.user),
        _("Jeton %(prefix)s… révoqué : il ne fonctionne plus.") % {"prefix": token.prefix},
    )
    return redirect("web:settings_user_detail", pk=pk)


@action("user.manage")
def settings_user_deactivate(request, pk):
    person = get_object_or_404(get_user_model(), pk=pk)
    perform(
        request,
        lambda: accounts.deactivate_user(person, by=request.user),
        _("Le compte de %(name)s est désactivé : il ne peut plus se connecter.")
        % {"name": person.get_username()},
    )
    return redirect("web:settings_user_detail", pk=person.pk)


@action("user.manage")
def settings_user_reactivate(request, pk):
    person = get_object_or_404(get_user_model(), pk=pk)
    perform(
        request,
        lambda: accounts.reactivate_user(person, by=request.user),
        _("Le compte de %(name)s est réactivé.") % {"name": person.get_username()},
    )
    return redirect("web:settings_user_detail", pk=person.pk)


# --- Sign-in lockouts ------------------------------------------------------------------------------


@requires("login.unlock")
def settings_lockouts(request):
    context = {
        "lockouts": login_throttle.lockouts(),
        "limit": settings.AXES_FAILURE_LIMIT,
        "minutes": login_throttle.cool_off_minutes(),
    }
    return render(request, "web/settings/lockouts.html", context)


@action("login.unlock")
def settings_unlock(request):
    username, address = param(request.POST, "username", 150), param(request.POST, "ip_address", 60)
    perform(
        request,
        lambda: login_throttle.unlock(by=request.user, username=username, ip_address=address),
        _("Connexion débloquée pour « %(target)s ».") % {"target": username or address},
    )
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("web:settings_lockouts")


@requires("settings.view")
def settings_roles(request):
    roles, rows = settings_tables.permission_table()
    return render(request, "web/settings/roles.html", {"roles": roles, "rows": rows})


# --- VAT and numbering (read-only) --------------------------------------------------------------


@requires("settings.view")
def settings_vat(request):
    context = {
        "company": _company(),
        "rates": settings_tables.vat_rates(),
        "categories": settings_tables.vat_categories(),
        "exemptions": settings_tables.exemption_reasons(),
        "accounts": settings_tables.vat_accounts(),
    }
    return render(request, "web/settings/vat.html", context)


def _numbering_context(company) -> dict:
    prefixes = parties_selectors.number_prefixes()
    return {"invoice_series": prefixes["invoice_series"], "rows": settings_tables.number_series(prefixes)}


@requires("settings.view")
def settings_numbering(request):
    """The counters in use and the prefix of each series, editable until the series takes its first number."""
    return _edit_company(
        request,
        settings_forms.NumberingForm,
        tuple(series.DEFAULTS),
        "web/settings/numbering.html",
        _("Préfixes de numérotation enregistrés."),
        extra=_numbering_context,
    )


# --- Return rules and thresholds ----------------------------------------------------------------


def _policy_values(policy) -> dict:
    thresholds = approvals.thresholds()
    stored = {
        "gesture_approval_threshold": thresholds.gesture_threshold,
        "refund_approval_threshold": thresholds.refund_threshold,
    }
    return {name: stored[name] if name in stored else getattr(policy, name) for name in POLICY_FORM_FIELDS}


@requires("settings.view")
def settings_rules(request):
    policy = returns_view.policy()
    form = settings_forms.ReturnPolicyForm(request.POST or None, initial=_policy_values(policy))
    if request.method == "POST" and form.is_valid():
        current = _policy_values(policy)
        # Only what changed goes to the service, so the audit event reads as the change made.
        changes = {
            name: value
            for name, value in form.cleaned_data.items()
            if (sorted(value) if isinstance(value, list) else value)
            != (sorted(current[name]) if isinstance(current[name], list) else current[name])
        }
        if not changes:
            messages.info(request, _("Aucune règle n'a changé."))
            return redirect("web:settings_rules")
        try:
            returns.update_policy(by=request.user, **changes)
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(request, _("Règles de retour enregistrées."))
            return redirect("web:settings_rules")
    reasons = dict(Reason.choices)
    context = {
        "form": form,
        "policy": policy,
        "thresholds": approvals.thresholds(),
        "may_edit": has_perm(request.user, "return.configure"),
        "blocking_labels": [reasons[code] for code in policy.blocking_reasons if code in reasons],
        "goods_back_labels": [reasons[code] for code in policy.goods_back_reasons if code in reasons],
        "large_approvers": _roles_holding("return.approve_large"),
        "approvers": _roles_holding("return.approve"),
        "overriders": _roles_holding("assistant.override"),
        "gesture_approvers": _roles_holding("credit_note.gesture"),
        "refund_approvers": _roles_holding("payment.register"),
    }
    return render(request, "web/settings/rules.html", context)


def _roles_holding(perm: str) -> list[str]:
    return [str(ROLE_LABELS[role]) for role in ROLE_LABELS if perm in PERMISSIONS[role]]


# --- Fiscal years ----------------------------------------------------------------------------------


@requires("accounting.view")
def settings_fiscal_years(request):
    """The fiscal years: open the year in progress or the next one (accounting), lock a period
    (accounting), move a lock back (direction, with a reason). Each form says which one it is."""
    posted = request.POST.get("action", "lock") if request.method == "POST" else None
    form = settings_forms.LockPeriodForm(request.POST if posted == "lock" else None)
    unlock_form = settings_forms.UnlockPeriodForm(
        request.POST if posted == "unlock" else None, prefix="unlock"
    )
    if posted == "lock" and form.is_valid():
        until = form.cleaned_data["until"]
        try:
            year = accounting.lock_period(until, by=request.user)
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(
                request,
                _("Exercice %(year)s verrouillé jusqu'au %(date)s inclus.")
                % {"year": year.name, "date": until.strftime("%d/%m/%Y")},
            )
            return redirect("web:settings_fiscal_years")
    elif posted == "unlock" and unlock_form.is_valid():
        until = unlock_form.cleaned_data["until"]
        try:
            accounting.unlock_period(until, by=request.user, reason=unlock_form.cleaned_data["reason"])
        except DomainError as exc:
            show_form_error(request, unlock_form, exc)
        else:
            messages.success(
                request,
                _("Période déverrouillée : verrouillée désormais jusqu'au %(date)s inclus.")
                % {"date": until.strftime("%d/%m/%Y")}
                if until
                else _("Plus aucune période n'est verrouillée."),
            )
            return redirect("web:settings_fiscal_years")
    elif posted == "open":
        opening = settings_forms.OpenFiscalYearForm(request.POST)
        if not opening.is_valid():
            messages.error(request, _("Date non valide."))
        else:
            _year, done = perform(
                request,
                lambda: accounting.open_fiscal_year(opening.cleaned_data["containing"], by=request.user),
                lambda year: _("Exercice %(year)s ouvert.") % {"year": year.name},
            )
            if done:
                return redirect("web:settings_fiscal_years")
    company = _company()
    years = list(FiscalYear.objects.order_by("-start_date"))
    lock = periods.locked_until()
    for year in years:
        # A lock covers every day before it, earlier years included.
        year.locked_until = min(year.end_date, lock) if lock and lock >= year.start_date else None
    context = {
        "form": form,
        "unlock_form": unlock_form,
        "years": years,
        "lock": lock,
        "to_open": _years_to_open(years, company),
        "today": dates.today(),
        "start_month": _start_month(company),
        "may_lock": has_perm(request.user, "accounting.close"),
        "may_open": has_perm(request.user, "accounting.open_year"),
        "may_unlock": has_perm(request.user, "accounting.unlock") and lock is not None,
    }
    return render(request, "web/settings/fiscal_years.html", context)


def _years_to_open(years: list[FiscalYear], company: Company | None) -> list[tuple[str, object, object]]:
    """(name, first day, last day) of the year in progress and the next one, when not open yet."""
    start_month = company.fiscal_year_start_month if company else 1
    current = periods.year_bounds(dates.today(), start_month)
    following = periods.year_bounds(current[2] + datetime.timedelta(days=1), start_month)
    opened = {(year.start_date, year.end_date) for year in years}
    return [bounds for bounds in (current, following) if (bounds[1], bounds[2]) not in opened]
