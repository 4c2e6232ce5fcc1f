"""The assistant's proposals (approve as is or edited, reject), how often people follow them, and the
billing agent's runs."""

import datetime
from typing import Literal

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from comptoir.api.access import can_read, fetch
from comptoir.api.schemas import InputSchema, Page, PageIn, PathId, QueryId, paginate, responses
from comptoir.assistant import actions, selectors, services
from comptoir.assistant.models import AgentRun, Proposal

router = Router(tags=["Assistant"])
agent = Router(tags=["Assistant"])

StatusCode = Literal[tuple(Proposal.Status.values)]
KindCode = Literal[tuple(actions.ACTIONS)]


class ProposalFilters(PageIn):
    status: StatusCode | None = Field(
        "open", description="open (par défaut), approved, rejected ou obsolete."
    )
    kind: KindCode | None = None
    customer: QueryId = None


class ProposalOut(Schema):
    id: int
    kind: str = Field(description="Le service qu'approuver appelle (voir `manual`).")
    manual: bool = Field(
        description="Vrai si approuver ne fait que noter que la correction a été faite à la main."
    )
    status: str
    title: str = Field(description="Ce que l'assistant a vu, en une phrase.")
    rationale: str = Field(description="Pourquoi il propose cette action.")
    confidence: str = Field(examples=["0.95"])
    payload: dict = Field(description="Exactement ce qu'approuver transmet au service ; décimaux en texte.")
    original_payload: dict | None = Field(
        description="Ce que l'assistant avait proposé, si quelqu'un l'a modifié."
    )
    editable: list[str] = Field(description="Les champs du contenu modifiables avant approbation.")
    evidence: list[dict]
    source: str
    customer_id: int | None
    order_id: int | None
    invoice_id: int | None
    created_at: datetime.datetime
    decided_by: str | None
    decided_at: datetime.datetime | None
    decision_note: str
    automatic: bool
    result: dict

    @staticmethod
    def resolve_manual(obj):
        return actions.action_for(obj.kind).manual

    @staticmethod
    def resolve_editable(obj):
        return [field.path for field in actions.action_for(obj.kind).editable]

    @staticmethod
    def resolve_confidence(obj):
        return str(obj.confidence)

    @staticmethod
    def resolve_decided_by(obj):
        return obj.decided_by.username if obj.decided_by_id else None


class ApproveIn(InputSchema):
    edits: dict | None = Field(
        None,
        description='Les champs modifiés (voir `editable`) : {"subject": …, "body": …} ou '
        '{"lines.quantity": ["2", "1"]}. Les autres clés sont ignorées.',
    )
    note: str = Field("", max_length=2000)


class RejectIn(InputSchema):
    reason: str = Field(max_length=2000, description="Obligatoire (400 `proposal_reason_required`).")


class AcceptanceOut(Schema):
    kind: str
    approved: int
    edited: int
    rejected: int
    automatic: int
    open: int
    obsolete: int
    rate: str | None = Field(description="Approuvées / décidées par une personne ; null sans décision.")

    @staticmethod
    def resolve_rate(obj):
        return None if obj.rate is None else str(obj.rate)


class RunOut(Schema):
    id: int
    status: str
    trigger: str
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    stats: dict
    problems: list[dict]


def _proposal(pk: int) -> Proposal:
    return fetch(selectors.proposals(status=None), pk)


@router.get("", response=responses(Page[ProposalOut]), summary="La boîte des propositions")
def list_proposals(request, filters: Query[ProposalFilters]):
    """Les propositions de l'assistant, les plus sûres d'abord ; par défaut celles qui attendent une décision."""
    can_read(request, "proposal.view")
    return paginate(
        selectors.proposals(status=filters.status, kind=filters.kind, customer=filters.customer), filters
    )


@router.get("/acceptance", response=responses(list[AcceptanceOut]), summary="Taux d'acceptation par type")
def acceptance(request):
    can_read(request, "proposal.view")
    return selectors.acceptance_by_kind()


@router.get("/{proposal_id}", response=responses(ProposalOut), summary="Une proposition")
def get_proposal(request, proposal_id: PathId):
    can_read(request, "proposal.view")
    return _proposal(proposal_id)


@router.post(
    "/{proposal_id}/approve", response=responses(ProposalOut), summary="Approuver (tel quel ou modifié)"
)
@transaction.atomic
def approve(request, proposal_id: PathId, payload: ApproveIn):
    """Appelle le service qu'une personne appellerait, avec ses permissions et ses règles ; 409
    `proposal_already_decided` si elle est déjà traitée, et le code du service s'il refuse."""
    services.approve_proposal(_proposal(proposal_id), by=request.auth, edits=payload.edits, note=payload.note)
    return _proposal(proposal_id)


@router.post("/{proposal_id}/reject", response=responses(ProposalOut), summary="Rejeter, avec un motif")
@transaction.atomic
def reject(request, proposal_id: PathId, payload: RejectIn):
    services.reject_proposal(_proposal(proposal_id), by=request.auth, reason=payload.reason)
    return _proposal(proposal_id)


@agent.get("/runs", response=responses(Page[RunOut]), summary="Les passages de l'agent de facturation")
def list_runs(request, page: Query[PageIn]):
    can_read(request, "proposal.view")
    return paginate(AgentRun.objects.all(), page)


@agent.post("/runs", response=responses(RunOut, 201), summary="Lancer un passage de l'agent maintenant")
def start_run(request):
    """Prépare les brouillons, contrôle, propose ; n'émet rien seul sauf politique écrite. 409
    `agent_already_running` si un passage est en cours."""
    return Status(201, services.run_agent(by=request.auth, trigger="api"))
