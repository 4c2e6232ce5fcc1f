"""First run (Premiers pas): the set-up of a real company, step by step, while the database holds none.

Who may open it: anyone while the database has no user at all (a new installation: the last step creates
the administrator, who is then signed in); once a user exists (created by `comptoir create-user`), only a
signed-in administrator (`company.manage` and `user.manage`). Once a company exists, it leads home.

Each step's answers are kept in the session (never the passwords: they are typed on the last step, which
commits), so the person can go back and forth; nothing is written until the last step calls
onboarding.set_up_company, one transaction. A refusal there brings the person back to the step and field
it concerns, with the service's French message.
"""

import base64

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core.errors import DomainError
from comptoir.core.permissions import has_perm
from comptoir.onboarding import services as onboarding
from comptoir.onboarding.plan import SetupPlan, UserPlan
from comptoir.web import first_run_forms as steps_forms

SESSION = "first_run"
ERROR = "first_run_error"
USERS = "utilisateurs"
STEPS = [
    ("societe", gettext_lazy("Société"), steps_forms.IdentityForm),
    ("banque", gettext_lazy("Banque"), steps_forms.BankForm),
    ("tva-exercice", gettext_lazy("TVA et exercice"), steps_forms.VatAndYearForm),
    ("facturation", gettext_lazy("Numérotation et paiement"), steps_forms.NumberingAndTermsForm),
    (USERS, gettext_lazy("Utilisateurs"), None),
]
SLUGS = [slug for slug, _label, _form in STEPS]
FORMS = {slug: form for slug, _label, form in STEPS if form}
ROLES_NEEDED = ("company.manage", "user.manage")


def _gate(request):
    """Where the person goes instead, or None when they may fill the first run in."""
    if onboarding.is_set_up():
        return redirect("web:home")
    if not get_user_model().objects.exists():
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not all(has_perm(request.user, perm) for perm in ROLES_NEEDED):
        return render(request, "web/first_run/ask_admin.html", status=403)
    return None


def first_run(request):
    return _gate(request) or redirect("web:first_run_step", step=SLUGS[0])


def _state(request) -> dict:
    return request.session.get(SESSION, {})


def _save(request, state: dict) -> None:
    request.session[SESSION] = state


def _raw(post) -> dict:
    """The answers as typed (lists of strings, JSON-safe for the session), without the tokens and buttons."""
    return {key: values for key, values in post.lists() if key not in ("csrfmiddlewaretoken", "go")}


def _bound(slug: str, state: dict):
    return FORMS[slug](MultiValueDict(state[slug]))


def _context(slug: str, state: dict, **extra) -> dict:
    index = SLUGS.index(slug)
    steps = [
        {"slug": s, "label": label, "number": i + 1, "done": s in state, "current": s == slug}
        for i, (s, label, _form) in enumerate(STEPS)
    ]
    previous = SLUGS[index - 1] if index else None
    return {"steps": steps, "step": steps[index], "previous": previous, "total": len(STEPS)} | extra


def first_run_step(request, step):
    gate = _gate(request)
    if gate:
        return gate
    if step not in SLUGS:
        raise Http404
    state = _state(request)
    missing = next((s for s in SLUGS[: SLUGS.index(step)] if s not in state), None)
    if missing:
        return redirect("web:first_run_step", step=missing)
    if step == USERS:
        return _users_step(request, state)
    form_class = FORMS[step]
    index = SLUGS.index(step)
    if request.method == "POST":
        if request.POST.get("go") == "back":
            # Going back keeps what was typed, valid or not: it is checked when the person comes forward.
            state[step] = _raw(request.POST)
            _save(request, state)
            return redirect("web:first_run_step", step=SLUGS[index - 1])
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            state[step] = _raw(request.POST)
            if step == "societe" and form.cleaned_data.get("logo"):
                state["logo"] = base64.b64encode(form.cleaned_data["logo"]).decode()
            _save(request, state)
            return redirect("web:first_run_step", step=SLUGS[index + 1])
    else:
        form = _bound(step, state) if step in state else form_class()
        refusal = request.session.pop(ERROR, None)
        if refusal and refusal["step"] == step:
            form.is_valid()
            form.add_error(refusal["field"] if refusal["field"] in form.fields else None, refusal["message"])
    context = _context(step, state, form=form, has_logo="logo" in state)
    return render(request, "web/first_run/step.html", context)


def _users_step(request, state):
    needs_admin = not get_user_model().objects.exists()
    data = request.POST if request.method == "POST" else None
    admin_form = steps_forms.AdministratorForm(data, prefix="admin") if needs_admin else None
    colleagues = steps_forms.ColleagueFormSet(data, prefix="collegues")
    if request.method == "POST":
        if request.POST.get("go") == "back":
            return redirect("web:first_run_step", step=SLUGS[-2])
        if (admin_form is None or admin_form.is_valid()) and colleagues.is_valid():
            done = _commit(request, state, admin_form, colleagues)
            if done:
                return done
    context = _context(
        USERS,
        state,
        admin_form=admin_form,
        colleagues=colleagues,
        summary=_summary(state),
        needs_admin=needs_admin,
    )
    return render(request, "web/first_run/users.html", context)


def _summary(state: dict) -> dict:
    """What the previous steps hold, shown before the set-up is committed."""
    cleaned = {}
    for slug in FORMS:
        form = _bound(slug, state)
        if form.is_valid():
            cleaned |= form.cleaned_data
    return cleaned


def _plan(state: dict, admin_form, colleagues) -> SetupPlan | None:
    company: dict = {}
    year_day = None
    for slug in FORMS:
        form = _bound(slug, state)
        if not form.is_valid():
            return None
        data = dict(form.cleaned_data)
        data.pop("logo", None)
        if slug == "tva-exercice":
            company["vat_on_debits"] = data.pop("vat_regime") == "debits"
            year_day = data.pop("open_year_containing")
        company |= data
    if state.get("logo"):
        company["logo"] = base64.b64decode(state["logo"])
    users = []
    if admin_form is not None:
        users.append(_user(admin_form.cleaned_data, roles=[]))
    users += [
        _user(form.cleaned_data, roles=form.cleaned_data["roles"])
        for form in colleagues
        if form.has_changed()
    ]
    return SetupPlan(company=company, open_fiscal_year_on=year_day, users=users)


def _user(data: dict, *, roles) -> UserPlan:
    return UserPlan(
        username=data["username"],
        password=data["password"],
        roles=list(roles),
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
    )


def _commit(request, state, admin_form, colleagues):
    plan = _plan(state, admin_form, colleagues)
    if plan is None:
        return redirect("web:first_run_step", step=SLUGS[0])
    by = request.user if request.user.is_authenticated else None
    try:
        result = onboarding.set_up_company(plan, by=by)
    except DomainError as exc:
        return _refused(request, exc, admin_form)
    request.session.pop(SESSION, None)
    if by is None:
        login(request, result.users[0], backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request,
        _("La société %(name)s est en place, avec son exercice %(year)s. Importez maintenant vos données.")
        % {"name": result.company.legal_name, "year": result.fiscal_year.name},
    )
    return redirect("web:home")


def _refused(request, exc: DomainError, admin_form):
    """Back to the step and field the refusal concerns; a refusal about the users stays on this page."""
    for slug, form_class in FORMS.items():
        fields = getattr(form_class, "ERROR_FIELDS", {})
        if exc.code in fields and (fields[exc.code] is None or fields[exc.code] in form_class.base_fields):
            request.session[ERROR] = {"step": slug, "field": fields[exc.code], "message": exc.message}
            messages.error(request, exc.message)
            return redirect("web:first_run_step", step=slug)
    messages.error(request, exc.message)
    return None
