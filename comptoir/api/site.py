"""The Comptoir REST API (Django Ninja), mounted at /api/v1/ by comptoir/urls.py."""

import json
from decimal import Decimal

from ninja import NinjaAPI
from ninja.parser import Parser

from comptoir.api import errors, idempotency, openapi
from comptoir.api.auth import session_auth, token_auth
from comptoir.api.routers import (
    accounting,
    aftersales,
    audit,
    billing_schedules,
    credit_notes,
    crm,
    customers,
    deliveries,
    findings,
    imports,
    insights,
    insights_reports,
    intake,
    invoices,
    jobs,
    payments,
    pricing,
    products,
    proposals,
    returns,
    returns_insights,
    revisions,
    sales,
    statements,
    stock,
    suppliers,
    tokens,
    vat,
)

DESCRIPTION = """
API de Comptoir : clients, fournisseurs, produits, stock, devis, commandes, livraisons, factures, règlements,
comptabilité, litiges et retours (avoirs, indicateurs), contrôles de cohérence, journal d'audit et jetons
d'API.

* **Authentification** : `Authorization: Bearer <jeton>` (jeton d'API), ou la session du navigateur
  (avec l'en-tête `X-CSRFToken` pour POST et PATCH). Un jeton expire à la date choisie à sa création
  et cesse de fonctionner dès qu'il est révoqué, que son titulaire change de mot de passe ou que son
  compte est désactivé (401 `not_authenticated`).
* **Corps** : JSON, avec `Content-Type: application/json` (415 `unsupported_media_type` sinon) ; les
  pièces jointes en `multipart/form-data`. Taille : 2 Mo au plus en JSON, 50 Mo avec des fichiers
  (413 `request_too_large`).
* **Montants et quantités** : des chaînes décimales en notation simple (`"1836.00"` : signe, chiffres,
  un point), ou des entiers JSON ; jamais de nombres à virgule JSON, d'exposants (`1e3`), de séparateurs
  (`1_000`, `1 000`, `12,5`) ni de chiffres non ASCII.
* **Dates** : `AAAA-MM-JJ`, années 2000 à 2099.
* **Erreurs** : `{"code": "...", "message": "..."}` ; `code` est stable, `message` est en français.
  422 `validation_error` : la requête ne suit pas ce schéma (chaque champ détaillé dans `details`) ;
  400 : elle le suit mais une règle la refuse (un code par règle ; `invalid_combination` pour des champs
  valides qui ne vont pas ensemble) ; 409 : l'état du document ne le permet pas.
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
    """A JSON body, under Content-Type application/json only (415 otherwise); JSON numbers with a fraction
    or an exponent become Decimal as written (never float), NaN and Infinity are refused."""

    def parse_body(self, request):
        # Ninja also parses each field of a multipart body through here, on a bare HttpRequest whose
        # content_type is None; a real request always has one ("" when the header is missing).
        if request.content_type is not None and request.content_type.lower() != "application/json":
            raise errors.unsupported_media_type(request.content_type)
        return json.loads(request.body, parse_float=Decimal, parse_constant=_refuse_constant)


class ComptoirAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        return idempotency.document(openapi.complete(super().get_openapi_schema(**kwargs)))


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
api.add_router("/suppliers", suppliers.router)
api.add_router("/products", products.router)
api.add_router("/stock", stock.router)
api.add_router("/quotes", sales.quotes)
api.add_router("/orders", sales.orders)
api.add_router("/quotes", revisions.quotes)
api.add_router("/orders", revisions.orders)
api.add_router("/orders", billing_schedules.router)
api.add_router("/pricing", pricing.router)
api.add_router("/deliveries", deliveries.router)
api.add_router("/invoices", invoices.router)
api.add_router("/invoices", findings.overrides)
api.add_router("/findings", findings.router)
api.add_router("/proposals", proposals.router)
api.add_router("/agent", proposals.agent)
api.add_router("/payments", payments.router)
api.add_router("/returns", returns.router)
api.add_router("/credit-notes", credit_notes.router)
api.add_router("/refund-requests", credit_notes.refund_requests)
api.add_router("/insights", returns_insights.router)
api.add_router("/insights", insights.router)
api.add_router("/insights", insights_reports.router)
api.add_router("/aftersales", aftersales.router)
api.add_router("/crm", crm.router)
api.add_router("/accounting", accounting.router)
api.add_router("/vat", vat.router)
api.add_router("/accounting", statements.router)
api.add_router("/audit", audit.router)
api.add_router("/tokens", tokens.router)
api.add_router("/jobs", jobs.router)
api.add_router("/imports", imports.router)
api.add_router("/intake", intake.router)
