"""Checks of a draft's VAT against the product, the customer and the day the tax fell due, and of the
customer's VAT regime against its country and VAT number. Pure."""

from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy

from comptoir.assistant.chain import (
    Chain,
    Kind,
    Status,
)
from comptoir.assistant.checks._common import (
    _invoice_ev,
    _label,
    _noun,
    _order_ev,
    _sentence,
)
from comptoir.assistant.findings import Evidence, Finding, Proposal, Severity, percent
from comptoir.core import vat
from comptoir.parties.identifiers import is_eu_vat_prefix

# --- VAT ------------------------------------------------------------------------------------------

_REGIME_LABELS = {
    vat.Regime.FRANCE: gettext_lazy("France"),
    vat.Regime.EU: gettext_lazy("entreprise de l'Union européenne"),
    vat.Regime.EXPORT: gettext_lazy("hors Union européenne"),
}
# The categories that need the buyer's VAT number (vat.NEED_BUYER_VAT), as a sentence names them.
_CATEGORY_IN_SENTENCE = {
    vat.Category.REVERSE_CHARGE: gettext_lazy("autoliquidation"),
    vat.Category.INTRA_EU_GOODS: gettext_lazy("livraison intracommunautaire exonérée"),
}


def _has_eu_vat_number(number: str) -> bool:
    return len(number) > 2 and number[:2].isalpha() and not number.upper().startswith("FR")


def check_reverse_charge_vat_number(chain: Chain) -> list[Finding]:
    """Reverse charge (AE) or an intra-EU supply (K) needs the buyer's VAT number in another member state."""
    findings = []
    customer = chain.customer
    for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT):
        if not invoice.is_draft:
            continue
        for line in invoice.lines:
            if line.vat_category in vat.NEED_BUYER_VAT and not _has_eu_vat_number(customer.vat_number):
                if customer.vat_number:
                    message = gettext(
                        "%(noun)s %(label)s applique %(category)s (%(code)s) à %(sku)s alors que le client "
                        "%(customer)s a le numéro %(vat_number)s : il faut un numéro de TVA d'un autre État "
                        "membre."
                    )
                else:
                    message = gettext(
                        "%(noun)s %(label)s applique %(category)s (%(code)s) à %(sku)s alors que le client "
                        "%(customer)s a aucun numéro de TVA : il faut un numéro de TVA d'un autre État membre."
                    )
                category = _CATEGORY_IN_SENTENCE.get(line.vat_category)
                findings.append(
                    Finding(
                        "reverse_charge_without_eu_vat_number",
                        Severity.BLOCKING,
                        _sentence(
                            message
                            % {
                                "noun": _noun(invoice),
                                "label": _label(invoice),
                                "category": category or vat.CATEGORY_LABELS[line.vat_category].lower(),
                                "code": line.vat_category,
                                "sku": line.product.sku,
                                "customer": customer.name,
                                "vat_number": customer.vat_number,
                            }
                        ),
                        (
                            _invoice_ev(
                                invoice, line, vat_category=line.vat_category, vat_rate=line.vat_rate
                            ),
                            Evidence(
                                "customer",
                                customer.name,
                                customer.id,
                                None,
                                {"vat_number": customer.vat_number, "vat_regime": customer.vat_regime},
                            ),
                        ),
                    )
                )
    return findings


def check_vat_follows_product_and_customer(chain: Chain) -> list[Finding]:
    """Each draft line's VAT category and rate are what the product and the customer's regime give, at
    the rate in force the day the tax fell due: the delivery for goods (CGI art. 269-2-a), the invoice for
    the rest. Goods delivered at 10 % before the product went to 20 % are rightly invoiced at 10 %."""
    findings = []
    customer = chain.customer
    delivered = chain.delivery_line_by_id
    for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT):
        if not invoice.is_draft:
            continue
        for line in invoice.lines:
            if line.vat_category in vat.NEED_BUYER_VAT and not _has_eu_vat_number(customer.vat_number):
                continue  # said by check_reverse_charge_vat_number
            product = line.product
            source = delivered.get(line.delivery_line_id) if line.delivery_line_id is not None else None
            tax_point = source[0].date if source is not None else invoice.date
            rate = product.rate_on(tax_point)
            reason = product.vat_exemption_reason
            if rate == 0 and rate != product.vat_rate and line.vat_category == vat.Category.EXEMPT:
                # The product was exempt when the tax fell due and is taxed now: its reason left the card
                # with the 0 % (the catalog refuses one beside a rate), the line keeps the one that applied.
                reason = reason or (line.vat_exemption_reason or "").strip()
            expected = vat.treatment(
                regime=customer.vat_regime,
                is_service=product.is_service,
                rate=rate,
                exemption_reason=reason,
                exemption_code=product.vat_exemption_code,
            )
            if (line.vat_category, line.vat_rate) == (expected.category, expected.rate):
                continue
            findings.append(
                Finding(
                    "invoice_vat_inconsistent",
                    Severity.BLOCKING,
                    _sentence(
                        gettext(
                            "%(noun)s %(label)s soumet %(sku)s à la TVA %(rate)s (%(category)s) alors que le "
                            "produit (TVA %(product_rate)s) vendu au client %(customer)s (régime %(regime)s) "
                            "appelle %(expected_rate)s (%(expected_category)s)."
                        )
                        % {
                            "noun": _noun(invoice),
                            "label": _label(invoice),
                            "sku": product.sku,
                            "rate": percent(line.vat_rate),
                            "category": line.vat_category,
                            "product_rate": percent(rate),
                            "customer": customer.name,
                            "regime": _REGIME_LABELS.get(customer.vat_regime, customer.vat_regime),
                            "expected_rate": percent(expected.rate),
                            "expected_category": expected.category,
                        }
                    ),
                    (
                        _invoice_ev(invoice, line, vat_category=line.vat_category, vat_rate=line.vat_rate),
                        Evidence(
                            "product",
                            product.sku,
                            product.id,
                            None,
                            {"vat_rate": rate, "tax_point": tax_point.isoformat()},
                        ),
                        Evidence(
                            "customer",
                            customer.name,
                            customer.id,
                            None,
                            {"vat_regime": customer.vat_regime, "vat_number": customer.vat_number},
                        ),
                    ),
                    Proposal(
                        "set_invoice_line_vat",
                        {
                            "invoice_id": invoice.id,
                            "invoice_line_id": line.id,
                            "vat_category": expected.category,
                            "vat_rate": expected.rate,
                        },
                        gettext(
                            "Appliquer la TVA %(rate)s (%(category)s) que donnent le produit et le régime du "
                            "client, ou corriger la fiche si c'est elle qui est fausse."
                        )
                        % {"rate": percent(expected.rate), "category": expected.category},
                        Decimal("0.8"),
                    ),
                )
            )
    return findings


# --- VAT plausibility -----------------------------------------------------------------------------

# French overseas departments keep the country FR on an address; sales there from mainland France are
# exports for VAT (CGI art. 294): an "export" customer with such a postal code is right.
_OVERSEAS_POSTCODES = ("97", "98")


def _in_another_member_state(country: str) -> bool:
    code = (country or "").upper()
    return code not in ("FR", "XI") and is_eu_vat_prefix(code)


def _documents_to_come(chain: Chain) -> list[Evidence]:
    """What the customer's record will still shape: the drafts among the subjects, or, on an order's page
    with nothing drafted yet, the live order itself. Nothing for issued invoices: what left is corrected
    by a credit note, not by a record."""
    drafts = [invoice for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT) if invoice.is_draft]
    if drafts:
        return [_invoice_ev(invoice) for invoice in drafts]
    order = chain.order
    if chain.focus is None and order is not None and order.status != Status.CANCELLED:
        return [_order_ev(chain)]
    return []


def check_customer_vat_regime(chain: Chain) -> list[Finding]:
    """The customer's VAT regime against its country and VAT number: a company of another member state
    set up as "export", a French company set up as "export" (outside the overseas departments) or as an
    EU business. The record's own rules (`parties`) already refuse an EU regime without a foreign EU VAT
    number and the French regime abroad; what they let through gives invoices without the VAT they owe,
    or without the mention and number an intra-EU supply needs. A warning: the lines of the draft agree
    with the record, so nothing else says it."""
    customer = chain.customer
    documents = _documents_to_come(chain)
    if not documents:
        return []
    country = (customer.country or "FR").upper()
    values = {
        "country": country,
        "vat_number": customer.vat_number,
        "vat_regime": customer.vat_regime,
    }
    proposal = None
    if customer.vat_regime == vat.Regime.EXPORT and _in_another_member_state(country):
        if _has_eu_vat_number(customer.vat_number):
            message = gettext(
                "Le client %(customer)s est établi dans un autre État de l'Union européenne (%(country)s) mais "
                "sa fiche est au régime « hors Union européenne » : ses factures partent en exportation "
                "exonérée (G), alors qu'une vente à une entreprise d'un autre État membre est une livraison "
                "intracommunautaire (K) ou une autoliquidation (AE) qui citent son numéro de TVA. Passez sa "
                "fiche au régime « entreprise de l'Union européenne »."
            )
            proposal = Proposal(
                "set_customer_vat_regime",
                {"customer_id": customer.id, "vat_regime": vat.Regime.EU},
                gettext(
                    "Passer le client %(customer)s au régime « entreprise de l'Union européenne » (numéro "
                    "%(vat_number)s) ; la TVA des brouillons sera ensuite à reprendre de la fiche."
                )
                % {"customer": customer.name, "vat_number": customer.vat_number},
                Decimal("0.8"),
            )
        else:
            message = gettext(
                "Le client %(customer)s est établi dans un autre État de l'Union européenne (%(country)s) mais "
                "sa fiche est au régime « hors Union européenne » : ses factures partent en exportation "
                "exonérée (G), alors qu'une vente à une entreprise d'un autre État membre est une livraison "
                "intracommunautaire (K) ou une autoliquidation (AE) qui citent son numéro de TVA. Renseignez "
                "son numéro de TVA intracommunautaire et passez sa fiche au régime « entreprise de l'Union "
                "européenne »."
            )
    elif (
        customer.vat_regime == vat.Regime.EXPORT
        and country == "FR"
        and not (customer.postal_code or "").startswith(_OVERSEAS_POSTCODES)
    ):
        message = gettext(
            "Le client %(customer)s est établi en France métropolitaine mais sa fiche est au régime « hors "
            "Union européenne » : ses factures partent sans TVA, en exportation exonérée (G), alors qu'une "
            "vente en France est soumise à la TVA française. Passez sa fiche au régime « France », ou "
            "corrigez son pays s'il est établi hors de l'Union."
        )
        proposal = Proposal(
            "set_customer_vat_regime",
            {"customer_id": customer.id, "vat_regime": vat.Regime.FRANCE},
            gettext(
                "Passer le client %(customer)s au régime « France » ; la TVA des brouillons sera ensuite à "
                "reprendre de la fiche."
            )
            % {"customer": customer.name},
            Decimal("0.7"),
        )
    elif customer.vat_regime == vat.Regime.EU and country == "FR":
        message = gettext(
            "Le client %(customer)s a son adresse en France mais sa fiche est au régime « entreprise de "
            "l'Union européenne » (numéro %(vat_number)s) : ses factures partent sans TVA française. Si les "
            "biens ou les services restent en France, la TVA française est due : passez sa fiche au régime "
            "« France » ; s'il est établi dans un autre État membre, corrigez son adresse."
        )
    else:
        return []
    return [
        Finding(
            "customer_vat_regime_implausible",
            Severity.WARNING,
            message % {"customer": customer.name, "country": country, "vat_number": customer.vat_number},
            (Evidence("customer", customer.name, customer.id, None, values), *documents),
            proposal,
        )
    ]


def check_zero_rate_without_exemption(chain: Chain) -> list[Finding]:
    """A draft line at 0 % in the zero-rated category (Z) with no exemption reason. France applies no zero
    rate on its territory: an invoice without VAT must cite the article of the CGI that exempts it
    (art. 242 nonies A). The catalog refuses a 0 % product without a reason, and the issue refuses an
    exempt line (E) without one (BR-E-10), but a Z line passes. It comes from a line edited or imported,
    or from VAT taken again from a product exempt when the tax fell due and taxed since: the rate history
    keeps the old 0 %, not its reason, so the card gives Z. Lines whose VAT the product and the customer
    do not give are `check_vat_follows_product_and_customer`'s."""
    findings = []
    customer = chain.customer
    if customer.vat_regime != vat.Regime.FRANCE:
        return findings
    delivered = chain.delivery_line_by_id
    for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT):
        if not invoice.is_draft:
            continue
        for line in invoice.lines:
            if (
                line.vat_category != vat.Category.ZERO
                or line.vat_rate != 0
                or line.vat_exemption_reason is None
                or line.vat_exemption_reason.strip()
            ):
                continue
            product = line.product
            source = delivered.get(line.delivery_line_id) if line.delivery_line_id is not None else None
            rate = product.rate_on(source[0].date if source is not None else invoice.date)
            expected = vat.treatment(
                regime=customer.vat_regime,
                is_service=product.is_service,
                rate=rate,
                exemption_reason=product.vat_exemption_reason,
                exemption_code=product.vat_exemption_code,
            )
            if (line.vat_category, line.vat_rate) != (expected.category, expected.rate):
                continue  # said by check_vat_follows_product_and_customer
            findings.append(
                Finding(
                    "zero_rate_without_exemption_reason",
                    Severity.WARNING,
                    _sentence(
                        gettext(
                            "%(noun)s %(label)s applique une TVA de %(rate)s à %(sku)s sans motif d'exonération : une "
                            "facture sans TVA doit citer l'article du CGI qui l'exonère (par exemple "
                            "« Exonération de TVA, article 261-4-4° du CGI » pour une formation). Si la vente "
                            "était exonérée, préparez à nouveau la facture depuis la commande, qui garde son "
                            "motif ; sinon, appliquez le taux de TVA dû."
                        )
                        % {
                            "noun": _noun(invoice),
                            "label": _label(invoice),
                            "rate": percent(line.vat_rate),
                            "sku": product.sku,
                        }
                    ),
                    (
                        _invoice_ev(
                            invoice,
                            line,
                            vat_category=line.vat_category,
                            vat_rate=line.vat_rate,
                            vat_exemption_reason=line.vat_exemption_reason,
                        ),
                        Evidence(
                            "product",
                            product.sku,
                            product.id,
                            None,
                            {
                                "vat_rate": product.vat_rate,
                                "vat_exemption_reason": product.vat_exemption_reason,
                            },
                        ),
                    ),
                )
            )
    return findings
