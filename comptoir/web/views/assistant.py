"""The assistant's pages: the proposals inbox (approve as is or edited, reject), and the billing agent
(its runs, a button to run it now, and the written policy it follows)."""

from decimal import Decimal

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from comptoir.assistant import actions, previews, selectors, services
from comptoir.assistant.models import AgentRun, AssistantPolicy, Proposal
from comptoir.core import money
from comptoir.core.permissions import ALL_ROLES, PERMISSIONS, ROLE_LABELS, has_perm
from comptoir.web import charts
from comptoir.web.findings import DOCUMENT_KINDS
from comptoir.web.views.common import action, paginate, param, perform, requires

STATUSES = dict(Proposal.Status.choices)


def _row(proposal: Proposal, user) -> dict:
    """A proposal as the inbox shows it: its action's label, what may be edited, who may decide."""
    act = actions.ACTIONS.get(proposal.kind)
    is_open = bool(act) and proposal.status == Proposal.Status.OPEN
    # Rejecting takes the kind's permission; approving, every permission of what it then does.
    perms = act.perms(proposal.payload) if is_open else ()
    may_decide = is_open and has_perm(user, act.perm)
    may_approve = may_decide and all(has_perm(user, perm) for perm in perms)
    editable = []
    for field in act.editable if act else ():
        if field.path == "lines.quantity":
            for index, line in enumerate(proposal.payload.get("lines", [])):
                editable.append(
                    {
                        "name": f"quantite_{index}",
                        "label": field.label,
                        "widget": "decimal",
                        "value": line.get("quantity", ""),
                    }
                )
        else:
            editable.append(
                {
                    "name": field.path,
                    "label": field.label,
                    "widget": field.widget,
                    "value": proposal.payload.get(field.path, ""),
                }
            )
    return {
        "p": proposal,
        "label": act.label if act else proposal.kind,
        "manual": act.manual if act else True,
        "may_decide": may_decide,
        "may_approve": may_approve,
        # Open, but not this person's to decide (or to approve): say who can, rather than a button that
        # would fail.
        "deciders": _roles_holding((act.perm,)) if is_open and not may_decide else [],
        "approvers": _roles_holding(perms) if may_decide and not may_approve else [],
        "editable": editable,
        "preview": previews.preview(proposal, user),
        "percent": int((proposal.confidence * 100).to_integral_value()),
        "evidence": [
            {"kind": DOCUMENT_KINDS.get(item.get("kind"), item.get("kind")), "document": item.get("document")}
            for item in proposal.evidence
            if isinstance(item, dict) and "document" in item
        ],
    }


def _roles_holding(perms) -> list[str]:
    return [
        str(ROLE_LABELS[role])
        for role in ALL_ROLES
        if all(perm in PERMISSIONS.get(role, ()) for perm in perms)
    ]


@requires("proposal.view")
def inbox(request):
    status = param(request.GET, "etat") or Proposal.Status.OPEN
    status = status if status in STATUSES or status == "tous" else Proposal.Status.OPEN
    kind = param(request.GET, "type")
    kind = kind if kind in actions.ACTIONS else ""
    page = paginate(
        request, selectors.proposals(status=None if status == "tous" else status, kind=kind or None)
    )
    rates = selectors.acceptance_by_kind()
    return render(
        request,
        "web/assistant/inbox.html",
        {
            "page_obj": page,
            "rows": [_row(proposal, request.user) for proposal in page.object_list],
            "etat": status,
            "type": kind,
            "statuses": list(STATUSES.items()),
            "kinds": [(code, act.label) for code, act in actions.ACTIONS.items()],
            "rates": [
                (
                    actions.ACTIONS[r.kind].label if r.kind in actions.ACTIONS else r.kind,
                    r,
                    None if r.rate is None else r.rate * 100,
                )
                for r in rates
            ],
            "can_run": has_perm(request.user, "assistant.run"),
        },
    )


def _edits(request, proposal: Proposal) -> dict:
    """The edited fields posted with an approval, in the shape `assistant.actions.apply_edits` reads."""
    act = actions.action_for(proposal.kind)
    edits: dict = {}
    for field in act.editable:
        if field.path == "lines.quantity":
            count = len(proposal.payload.get("lines", []))
            quantities = [param(request.POST, f"quantite_{index}", 30) for index in range(count)]
            if any(quantities):
                edits["lines.quantity"] = [_typed_decimal(quantity) for quantity in quantities]
        elif field.path in request.POST:
            if field.widget == "textarea":
                edits[field.path] = param(request.POST, field.path, 20000)
            elif field.widget == "decimal":
                edits[field.path] = _typed_decimal(param(request.POST, field.path, 300))
            else:
                edits[field.path] = param(request.POST, field.path, 300)
    return edits


def _typed_decimal(text: str) -> str:
    """A number typed the French way (2,5) in the notation the services read (2.5); anything else as typed,
    for the service to refuse with its own message."""
    try:
        return format(money.parse_french(text), "f")
    except ValueError:
        return text


@action("proposal.view")
def approve(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    perform(
        request,
        lambda: services.approve_proposal(
            proposal, by=request.user, edits=_edits(request, proposal), note=param(request.POST, "note", 2000)
        ),
        lambda done: (
            _("Proposition approuvée : %(result)s.") % {"result": done.result.get("label") or _("fait")}
        ),
    )
    return _back_to_inbox(request)


def _back_to_inbox(request):
    """Back to the inbox page the decision was taken on, its filters and page kept."""
    back = param(request.POST, "next", 2000)
    if back.startswith(reverse("web:proposal_inbox")) and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        return redirect(back)
    return redirect("web:proposal_inbox")


@action("proposal.view")
def reject(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    perform(
        request,
        lambda: services.reject_proposal(
            proposal, by=request.user, reason=param(request.POST, "reason", 2000)
        ),
        _("Proposition rejetée ; l'assistant ne la refera pas."),
    )
    return _back_to_inbox(request)


@requires("proposal.view")
def agent_page(request):
    return render(
        request,
        "web/assistant/agent.html",
        {
            "runs": AgentRun.objects.all()[:20],
            "policy": AssistantPolicy.current(),
            "can_run": has_perm(request.user, "assistant.run"),
            "can_configure": has_perm(request.user, "assistant.configure"),
        },
    )


@action("assistant.run")
def agent_run(request):
    perform(
        request,
        lambda: services.run_agent(by=request.user, trigger="web"),
        lambda run: (
            _("Passage terminé : %(created)s nouvelle(s) proposition(s), %(drafts)s brouillon(s) préparé(s).")
            % {
                "created": run.stats.get("proposals_created", 0),
                "drafts": run.stats.get("drafts_prepared", 0),
            }
        ),
    )
    return redirect("web:agent")


def _number(text: str, default):
    try:
        return money.parse_french(text)
    except ValueError:
        return default


@action("assistant.configure")
def policy_update(request):
    current = AssistantPolicy.current()
    fields = {
        "auto_issue_enabled": request.POST.get("auto_issue_enabled") == "1",
        "prepare_drafts": request.POST.get("prepare_drafts") == "1",
        "auto_issue_limit": _number(param(request.POST, "auto_issue_limit", 20), current.auto_issue_limit),
    }
    for name in ("reminder_polite_days", "reminder_firm_days", "reminder_formal_days"):
        value = _number(param(request.POST, name, 5), Decimal(getattr(current, name)))
        fields[name] = (
            int(value) if 0 < value <= 365 and value == value.to_integral_value() else getattr(current, name)
        )
    perform(
        request,
        lambda: services.update_policy(by=request.user, **fields),
        _("Politique de l'assistant enregistrée."),
    )
    return redirect("web:agent")


CAUSES_TOP = 10


@requires("return.view")
def recurring_causes(request):
    """What keeps coming back in returns, and what changed over the last 90 days."""
    found = selectors.recurring_causes()
    return render(
        request,
        "web/assistant/causes.html",
        {
            "causes": found,
            "by_reason": found.by_reason[:CAUSES_TOP],
            "by_product": found.by_product[:CAUSES_TOP],
            "by_customer": found.by_customer[:CAUSES_TOP],
            "reasons_chart": charts.bar_chart([(t.label, t.recent) for t in found.by_reason[:CAUSES_TOP]]),
            "months_chart": charts.bar_chart([(month, count) for month, count in found.months]),
        },
    )
