"""API tokens: the caller's own (an administrator's: anyone's), and revoking one.

No endpoint creates a token: a token able to mint tokens could renew itself for ever and never
expire. Tokens are created in the browser (« Mon compte ») or with `comptoir create-token`.
"""

import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema

from comptoir.api.access import fetch
from comptoir.api.schemas import Page, PageIn, PathId, QueryId, paginate, responses
from comptoir.core import permissions, tokens
from comptoir.core.models import ApiToken

router = Router(tags=["Jetons d'API"])


class ApiTokenOut(Schema):
    id: int
    user: str = Field(description="Nom d'utilisateur du titulaire.")
    name: str
    prefix: str = Field(
        description="Début du jeton (« cpt_Ab1x »), pour le reconnaître ; le jeton entier n'est jamais renvoyé."
    )
    created_at: datetime.datetime
    expires_at: datetime.datetime
    last_used_at: datetime.datetime | None = Field(description="Dernier usage (à la minute près).")
    revoked_at: datetime.datetime | None
    revoked_reason: str = Field(description="manual, password_changed ou user_deactivated ; vide si actif.")
    status: Literal["active", "expired", "revoked"]

    @staticmethod
    def resolve_user(token):
        return token.user.get_username()

    @staticmethod
    def resolve_status(token):
        return token.status()


class TokenFilters(PageIn):
    user: QueryId = Field(None, description="Les jetons de cet utilisateur (administrateur seulement).")


@router.get("", response=responses(Page[ApiTokenOut]), summary="Mes jetons d'API")
def list_tokens(request, filters: Query[TokenFilters]):
    owner = request.auth.pk
    if filters.user is not None and filters.user != owner:
        permissions.require(request.auth, "user.manage")
        owner = filters.user
    qs = ApiToken.objects.filter(user_id=owner).select_related("user").order_by("-created_at", "-pk")
    return paginate(qs, filters)


@router.post("/{token_id}/revoke", response=responses(ApiTokenOut), summary="Révoquer un jeton")
def revoke_token(request, token_id: PathId):
    """Le jeton cesse de fonctionner aussitôt, définitivement. Le sien, ou celui de n'importe qui pour
    un administrateur ; un jeton peut se révoquer lui-même."""
    token = fetch(ApiToken.objects.select_related("user"), token_id)
    return tokens.revoke_token(token, by=request.auth)
