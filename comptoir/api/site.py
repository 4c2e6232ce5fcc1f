"""The Comptoir REST API (Django Ninja), mounted at /api/v1/ by comptoir/urls.py."""

import json
from decimal import Decimal

from ninja import NinjaAPI
from ninja.parser import Parser

from comptoir.api import errors, idempotency
from comptoir.api.auth import session_auth, token_auth
from comptoir.api.routers import (
    accounting,
    audit,
    billing_schedules,
    customers,
    deliveries,
    findings,
    invoices,
    payments,
    products,
    proposals,
    returns,
    sales,
    stock,
    tokens,
)

DESCRIPTION = """
API de Comptoir : clients, produits, stock, devis, commandes, livraisons, factures, règlements,
comptabilité, litiges et retours (avoirs, indicateurs), contrôles de cohérence, journal d'audit et jetons
d'API.

* **Authentification** : `Authorization: Bearer <jeton>` (jeton d'API), ou la session du navigateur
  (avec l'en-tête `X-CSRFToken` pour POST et PATCH). Un jeton expire à la date choisie à sa création
  et cesse de fonctionner dès qu'il est révoqué, que son titulaire change de mot de passe ou que son
  compte est désactivé (401 `not_authenticated`).
* **Montants et quantités** : des chaînes décimales (`"1836.00"`), jamais des nombres flottants.
* **Erreurs** : `{"code": "...", "message": "..."}` ; `code` est stable, `message` est en français.
  Les erreurs de saisie (422, `validation_error`) détaillent chaque champ dans `details`.
* **Actions** : `POST /<ressource>/{id}/<action>` (par exemple `POST /invoices/12/issue`). Les droits sont
  ceux du rôle de l'utilisateur, vérifiés par chaque action.
* **Idempotence** : tout `POST` accepte l'en-tête `Idempotency-Key` (une clé choisie par le client, un UUID
  par exemple). La même requête renvoyée avec la même clé (double clic, nouvel essai après une réponse
  perdue) reçoit la première réponse et ne crée pas un second document ; la même clé avec une autre requête
  est refusée (409, `idempotency_key_reused`).
"""


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number")


class DecimalJSONParser(Parser):
    """JSON numbers become Decimal as written (never float); NaN and Infinity are refused."""

    def parse_body(self, request):
        return json.loads(request.body, parse_float=Decimal, parse_constant=_refuse_constant)


class ComptoirAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        return idempotency.document(super().get_openapi_schema(**kwargs))


api = ComptoirAPI(
    title="Comptoir API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[token_auth, session_auth],
    parser=DecimalJSONParser(),
)
errors.install(api)
idempotency.install(api)

api.add_router("/customers", customers.router)
api.add_router("/products", products.router)
api.add_router("/stock", stock.router)
api.add_router("/quotes", sales.quotes)
api.add_router("/orders", sales.orders)
api.add_router("/orders", billing_schedules.router)
api.add_router("/deliveries", deliveries.router)
api.add_router("/invoices", invoices.router)
api.add_router("/invoices", findings.overrides)
api.add_router("/findings", findings.router)
api.add_router("/proposals", proposals.router)
api.add_router("/agent", proposals.agent)
api.add_router("/payments", payments.router)
api.add_router("/returns", returns.router)
api.add_router("/credit-notes", returns.credit_notes)
api.add_router("/refund-requests", returns.refund_requests)
api.add_router("/insights", returns.insights)
api.add_router("/accounting", accounting.router)
api.add_router("/audit", audit.router)
api.add_router("/tokens", tokens.router)
