"""The audit trail, read-only, and the check of its hash chain."""

import datetime

from ninja import Field, Query, Router, Schema

from comptoir.api.access import can_read
from comptoir.api.schemas import Page, PageIn, paginate, responses
from comptoir.core import integrity
from comptoir.core.models import AuditEvent

router = Router(tags=["Journal d'audit"])


class AuditEventOut(Schema):
    seq: int
    at: datetime.datetime
    actor: str = Field(description="Nom d'utilisateur de l'auteur (« système » pour les tâches).")
    action: str
    object_type: str
    object_id: str
    object_repr: str
    data: dict
    hash: str

    @staticmethod
    def resolve_actor(event):
        return event.actor_name


class AuditFilters(PageIn):
    object_type: str | None = Field(None, max_length=60, description="Par exemple billing.invoice.")
    object_id: str | None = Field(None, max_length=40)
    action: str | None = Field(None, max_length=60, description="Par exemple invoice.issued.")


class ProblemOut(Schema):
    seq_from: int | None = Field(description="Premier événement concerné (rupture de la chaîne).")
    seq_to: int | None = Field(description="Dernier événement concerné.")
    document: str = Field(description="Document ou point de contrôle concerné, le cas échéant.")
    reason: str
    text: str = Field(description="La rupture en une phrase.")

    @staticmethod
    def resolve_text(problem):
        return str(problem)


class ChainReportOut(Schema):
    ok: bool
    checked: int = Field(description="Événements vérifiés.")
    broken_at_seq: int | None = Field(description="Premier événement qui ne correspond plus à la chaîne.")
    reason: str
    checkpoints: int = Field(description="Points de contrôle externes comparés.")
    problems: list[ProblemOut] = Field(
        description="Chaque rupture trouvée (chaîne, points de contrôle, documents)."
    )


@router.get("", response=responses(Page[AuditEventOut]), summary="Événements du journal d'audit")
def list_events(request, filters: Query[AuditFilters]):
    can_read(request, "audit.view")
    qs = AuditEvent.objects.order_by("-seq")
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.action:
        qs = qs.filter(action=filters.action)
    return paginate(qs, filters)


@router.get(
    "/verify", response=responses(ChainReportOut), summary="Vérifier le journal d'audit et les documents"
)
def verify(request):
    can_read(request, "audit.view")
    return integrity.verify()
