"""The demo's costs of serving customers (issue #22): cost profiles for the team, carrier rates, the
financing rate, delivery costs, after-sales tickets and time entries — told so that the customer with the
best revenue of the year turns out to lose money once its discounts, returns, tickets and the project
manager's hours are counted (its real margin negative), while the sales view shows it profitable.

Everything goes through the services (aftersales, stock.logistics), dated on past business days; a few
dozen calls, so `make run` stays fast."""

import datetime
import random
from decimal import Decimal

from comptoir.aftersales import services as aftersales
from comptoir.aftersales.models import TimeEntry
from comptoir.core.permissions import Role
from comptoir.demo.business_days import is_business_day
from comptoir.insights import real_margin
from comptoir.insights import selectors as margin_view
from comptoir.parties.models import Customer
from comptoir.sales.models import Order
from comptoir.stock import logistics
from comptoir.stock.models import Delivery

D = Decimal
PROFILES = {  # profile name → hourly cost, the roles it goes to
    "Direction": ("95", (Role.DIRECTION, Role.ADMIN)),
    "Chef de projet": ("68", (Role.COMMERCIAL,)),
    "ADV": ("44", (Role.ADV,)),
    "Technicien SAV": ("52", (Role.LOGISTIQUE,)),
    "Comptabilité": ("46", (Role.COMPTABILITE,)),
}
RATES = [("", "30", "14"), ("", "300", "48"), ("", None, "160"), ("20", None, "95"), ("97", None, "220")]
TICKETS = [
    ("intervention", "Perceuses du chantier Confluence qui chauffent", "180", "95"),
    ("rework", "Reprise du réglage des scies à onglet", "240", "0"),
    ("support", "Assistance à la mise en service des visseuses", "0", "0"),
    ("intervention", "Dépannage sur site, atelier de Vénissieux", "320", "140"),
    ("rework", "Reprise des fixations livrées non conformes", "410", "60"),
    ("support", "Formation express de l'équipe du client", "0", "95"),
]


def _business_days_back(today: datetime.date, count: int) -> list[datetime.date]:
    days, day = [], today - datetime.timedelta(days=1)
    while len(days) < count:
        if is_business_day(day):
            days.append(day)
        day -= datetime.timedelta(days=1)
    return days


def seed(*, users: dict, customers: list[Customer], today: datetime.date, rng: random.Random) -> dict:
    direction = users["direction"]
    by_role = {}
    for name, (cost, roles) in PROFILES.items():
        profile = aftersales.create_profile(by=direction, name=name, hourly_cost=cost)
        for user in users.values():
            if any(user.groups.filter(name=role).exists() for role in roles) or (
                Role.ADMIN in roles and user.is_superuser
            ):
                aftersales.assign_profile(user, profile, by=direction)
                by_role.setdefault(name, user)
    for prefix, weight, cost in RATES:
        aftersales.add_shipping_rate(by=direction, postal_prefix=prefix, max_weight_kg=weight, cost=cost)
    aftersales.set_financing_rate("6", by=direction)

    year_ago = today - datetime.timedelta(days=365)
    ranked = margin_view.margins_by("customer", date_from=year_ago, date_to=today)
    french = {c.pk: c for c in customers if c.country == "FR"}
    ranked = [row for row in ranked if row.key in french]
    counts = {"tickets SAV": 0, "saisies de temps": 0, "coûts de livraison saisis": 0}
    if not ranked:
        return counts
    star = french[ranked[0].key]
    days = _business_days_back(today, 120)
    manager, technician = users["commercial"], users["logistique"]

    # Delivery costs: the carrier's invoice entered on a share of the notes, urgent ones absorbed for the star
    notes = list(
        Delivery.objects.filter(status=Delivery.Status.VALIDATED, date__gte=year_ago).order_by("date", "id")
    )
    for note in notes[:: max(len(notes) // 40, 1)]:
        logistics.set_logistics(
            note,
            by=users["logistique"],
            carrier_cost=rng.choice(["18", "26", "42", "65"]),
            weight_kg=str(rng.randint(4, 120)),
        )
        counts["coûts de livraison saisis"] += 1
    star_notes = [n for n in notes if n.order.customer_id == star.pk]
    for note in star_notes[-4:]:
        logistics.set_logistics(
            note,
            by=users["logistique"],
            carrier_cost=rng.choice(["145", "180", "210"]),
            weight_kg="35",
            urgent_absorbed=True,
            urgent_reason="Express du lendemain demandé par le client, non refacturé (client historique)",
        )
        counts["coûts de livraison saisis"] += 1

    # Tickets of the star customer, with the technician's time on them
    orders = list(Order.objects.filter(customer=star).order_by("-date")[:6])
    for index, (kind, title, parts, travel) in enumerate(TICKETS):
        opened = days[min(len(days) - 1, 8 + index * 15)]
        ticket = aftersales.open_ticket(
            star,
            by=users["adv"],
            title=title,
            kind=kind,
            order=orders[index % len(orders)] if orders else None,
            opened_on=opened,
            parts_cost=parts,
            travel_cost=travel,
            description="Demande reçue par téléphone, traitée par le SAV.",
        )
        aftersales.record_time(
            by=technician,
            customer=star,
            minutes=rng.choice([180, 240, 300, 420]),
            activity="aftersales",
            ticket=ticket,
            date=opened,
        )
        counts["tickets SAV"] += 1
        counts["saisies de temps"] += 1

    # A little time and after-sales on other customers, so the lists are not about one customer
    for other in [french[row.key] for row in ranked[1:6]]:
        aftersales.record_time(
            by=manager,
            customer=other,
            minutes=rng.choice([30, 45, 60]),
            activity="presales",
            date=rng.choice(days),
        )
        counts["saisies de temps"] += 1
    if len(ranked) > 2:
        other = french[ranked[2].key]
        ticket = aftersales.open_ticket(
            other, by=users["adv"], title="Question sur la garantie", opened_on=days[20]
        )
        aftersales.record_time(
            by=users["adv"], customer=other, minutes=30, activity="aftersales", ticket=ticket, date=days[20]
        )
        counts["tickets SAV"] += 1
        counts["saisies de temps"] += 1

    # The project manager's hours on the star account: weekly meetings, site visits, chasing, until the real
    # margin of the year is below zero by 4 % of its net revenue
    result = real_margin.customer_waterfall(star, date_from=year_ago, date_to=today)
    wanted = result.real_margin + max(result.net_revenue * D("0.04"), D("500"))
    hourly = manager.cost_profile.profile.hourly_cost
    # At least a weekly two-hour meeting over three months, whatever the rest costs
    minutes_needed = max(int(wanted * 60 / hourly) + 1 if wanted > 0 else 0, 12 * 120)
    project_days = days[::2]
    index = 0
    while minutes_needed > 0:
        minutes = min(rng.choice([90, 120, 180, 240, 300]), minutes_needed)
        minutes = max(minutes, 1)
        activity = TimeEntry.Activity.PROJECT if index % 4 else TimeEntry.Activity.PRESALES
        aftersales.record_time(
            by=manager,
            customer=star,
            minutes=minutes,
            activity=activity,
            date=project_days[index % len(project_days)],
            note="Point hebdomadaire et suivi du chantier"
            if activity == TimeEntry.Activity.PROJECT
            else "Chiffrage d'une variante",
        )
        minutes_needed -= minutes
        index += 1
        counts["saisies de temps"] += 1
    return counts
