"""The demo's commercial pipeline (issue #22, CRM): leads from every source at each status, opportunities at
each stage with their quotes (one won today by its accepted quote, one lost with its refused quote), deals
closed over the past months so the conversion rates and sales cycles per person and per source tell
something, activities (some overdue) and pre-sales time on an opportunity.

Everything goes through the services (crm, sales, aftersales); a few dozen calls, so `make run` stays fast.
Runs after `profitability.seed` (the team's cost profiles price the pre-sales time)."""

import datetime
import random

from comptoir.aftersales import services as aftersales
from comptoir.catalog.models import Product
from comptoir.crm import services as crm
from comptoir.crm.models import Source
from comptoir.parties.models import Customer
from comptoir.sales import services as sales

LEADS = [  # company, contact, source, what happens to it
    ("Ateliers Mercier", "Julien Mercier", Source.TRADE_SHOW, "new"),
    ("Menuiserie des Monts d'Or", "Sophie Perrin", Source.WEBSITE, "new"),
    ("BTP Rhône Services", "Karim Haddad", Source.INBOUND_CALL, "qualified"),
    ("Ébénisterie Vidal", "Claire Vidal", Source.REFERRAL, "qualified"),
    ("Serrurerie Lambert", "Marc Lambert", Source.PROSPECTING, "lost"),
    ("Nouvel atelier de Villeurbanne", "Anne Roux", Source.TRADE_SHOW, "converted"),
]
# Deals closed over the past months: (owner, source, days ago it came up, days it took, won)
CLOSED = [
    ("commercial", Source.TRADE_SHOW, 200, 34, True),
    ("commercial", Source.REFERRAL, 170, 21, True),
    ("commercial", Source.WEBSITE, 150, 45, False),
    ("commercial", Source.REFERRAL, 120, 18, True),
    ("commercial", Source.PROSPECTING, 95, 60, False),
    ("adv", Source.INBOUND_CALL, 140, 9, True),
    ("adv", Source.INBOUND_CALL, 80, 12, True),
    ("adv", Source.WEBSITE, 60, 30, False),
    ("direction", Source.PROSPECTING, 180, 75, True),
    ("direction", Source.TRADE_SHOW, 110, 40, False),
]
LOST_REASONS = ["Concurrent moins cher", "Projet reporté à l'an prochain", "Délai de livraison trop long"]
OPEN = [  # title, stage, amount, owner, source
    ("Renouvellement des perceuses de l'atelier", "qualification", "6500", "commercial", Source.WEBSITE),
    ("Équipement du nouveau dépôt", "qualification", "18000", "direction", Source.REFERRAL),
    ("Scies à onglet pour le chantier Confluence", "proposal", "9400", "commercial", Source.TRADE_SHOW),
    ("Contrat d'outillage annuel", "negotiation", "24000", "adv", Source.INBOUND_CALL),
]


def seed(*, users: dict, today: datetime.date, rng: random.Random) -> dict:
    seller, adv, boss = users["commercial"], users["adv"], users["direction"]
    counts = {"pistes": 0, "opportunités": 0, "activités": 0}
    french = list(Customer.objects.filter(country="FR", is_active=True).order_by("pk"))
    goods = list(Product.objects.filter(kind=Product.Kind.GOODS, sale_price__gt=0).order_by("pk")[:6])
    if not french or not goods:
        return counts

    def lines(count: int = 2) -> list[dict]:
        return [
            {"product": product, "quantity": str(rng.randint(2, 12))}
            for product in rng.sample(goods, min(count, len(goods)))
        ]

    # Leads at each status
    for company_name, contact, source, fate in LEADS:
        lead = crm.create_lead(
            by=seller, company_name=company_name, contact_name=contact, source=source, phone="04 78 00 00 00"
        )
        counts["pistes"] += 1
        if fate == "lost":
            crm.lose_lead(lead, by=seller, reason="Achète déjà chez un concurrent sous contrat")
        elif fate in ("qualified", "converted"):
            crm.qualify_lead(lead, by=seller)
        if fate == "converted":
            # A new workshop of a customer already known: converted onto that customer, no new card
            _lead, deal = crm.convert_lead(
                lead,
                by=seller,
                customer=french[-1],
                opportunity_title="Premier équipement du nouvel atelier",
                amount="3800",
            )
            counts["opportunités"] += 1
            crm.plan_activity(
                opportunity=deal,
                kind="meeting",
                subject="Visite de l'atelier et relevé des besoins",
                due_date=today + datetime.timedelta(days=4),
                assigned_to=seller,
                by=seller,
            )
            counts["activités"] += 1
        elif fate == "qualified":
            crm.plan_activity(
                lead=lead,
                kind="call",
                subject=f"Rappeler {contact} pour le devis",
                due_date=today - datetime.timedelta(days=2),
                assigned_to=seller,
                by=seller,
            )
            counts["activités"] += 1

    # Deals closed over the past months: the figures per person and per source
    for index, (owner, source, ago, took, won) in enumerate(CLOSED):
        came_up = today - datetime.timedelta(days=ago)
        deal = crm.create_opportunity(
            french[index % len(french)],
            by=users[owner],
            title=f"Affaire {came_up.strftime('%m/%Y')} — outillage",
            amount=str(rng.randint(15, 120) * 100),
            source=source,
            owner=users[owner],
            date=came_up,
        )
        crm.move_stage(deal, "proposal", by=users[owner])
        closed_on = came_up + datetime.timedelta(days=took)
        if won:
            crm.mark_won(deal, by=users[owner], date=closed_on)
        else:
            crm.mark_lost(deal, by=users[owner], reason=rng.choice(LOST_REASONS), date=closed_on)
        counts["opportunités"] += 1

    # Open deals at each stage, with their quotes
    for index, (title, stage, amount, owner, source) in enumerate(OPEN):
        customer = french[(index + 1) % len(french)]
        deal = crm.create_opportunity(
            customer,
            by=users[owner],
            title=title,
            amount=amount,
            source=source,
            owner=users[owner],
            date=today - datetime.timedelta(days=10 + 7 * index),
            expected_close_date=today + datetime.timedelta(days=15 + 10 * index),
        )
        counts["opportunités"] += 1
        if stage in ("proposal", "negotiation"):
            crm.move_stage(deal, "proposal", by=users[owner])
            quote = sales.create_quote(customer, lines(), by=users[owner], opportunity=deal)
            sales.send_quote(quote, by=users[owner])
        if stage == "negotiation":
            crm.move_stage(deal, "negotiation", by=users[owner])
        crm.plan_activity(
            opportunity=deal,
            kind="call" if index % 2 else "email",
            subject="Relancer pour la décision"
            if stage != "qualification"
            else "Qualifier le besoin et le budget",
            due_date=today + datetime.timedelta(days=index * 3 - 4),
            assigned_to=users[owner],
            by=users[owner],
        )
        counts["activités"] += 1

    # Won today by its accepted quote, lost with its refused quote
    star = french[0]
    won = crm.create_opportunity(
        star, by=seller, title="Visseuses pour l'équipe de pose", source=Source.REFERRAL, amount="2500"
    )
    crm.move_stage(won, "proposal", by=seller)
    quote = sales.send_quote(sales.create_quote(star, lines(), by=seller, opportunity=won), by=seller)
    sales.accept_quote(quote, by=seller)
    lost = crm.create_opportunity(
        star, by=adv, title="Compresseurs d'atelier", source=Source.INBOUND_CALL, amount="4200", owner=adv
    )
    crm.move_stage(lost, "proposal", by=adv)
    refused = sales.send_quote(sales.create_quote(star, lines(1), by=adv, opportunity=lost), by=adv)
    sales.refuse_quote(refused, by=adv, reason="Prix trop élevé")
    crm.mark_lost(lost, by=adv, reason="Concurrent moins cher")
    counts["opportunités"] += 2

    # Someone's overdue activities, one done, and the sales engineer's pre-sales time on a deal
    overdue = crm.plan_activity(
        customer=star,
        kind="task",
        subject="Envoyer les fiches techniques",
        due_date=today - datetime.timedelta(days=6),
        assigned_to=adv,
        by=boss,
    )
    crm.plan_activity(
        customer=star,
        kind="meeting",
        subject="Point annuel avec l'acheteur",
        due_date=today - datetime.timedelta(days=1),
        assigned_to=boss,
        by=boss,
    )
    crm.complete_activity(overdue, by=adv, note="Envoyées par e-mail")
    counts["activités"] += 2
    if hasattr(seller, "cost_profile"):
        aftersales.record_time(
            by=seller,
            customer=won.customer,
            minutes=120,
            activity="presales",
            opportunity=won,
            date=today - datetime.timedelta(days=3),
            note="Démonstration chez le client",
        )
    return counts
