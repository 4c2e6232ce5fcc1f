"""The demo's customers, created through `parties.services.create_customer`: French ones drawn from
`names`, with contacts and delivery addresses, and the two abroad (one in the EU, one outside)."""

import random

from comptoir.demo import names
from comptoir.demo.tracking import StoryCustomer
from comptoir.parties.services import create_customer

PAYMENT_TERMS = [(30, False)] * 5 + [(45, False)] * 2 + [(45, True)] * 2 + [(30, True)]


def create_french_customer(
    rng: random.Random, seed: names.CustomerSeed, sirens: set[str], *, by
) -> StoryCustomer:
    """A French customer: SIREN, SIRET and VAT number drawn, payment terms, contacts and, for some,
    delivery addresses; how they pay (good, slow, bad) and how much they buy."""
    siren = names.random_siren(rng, sirens)
    domain = names.slug(seed.name) + ".fr"
    days, end_of_month = rng.choice(PAYMENT_TERMS)
    contacts = _contacts(rng, domain, seed.phone_prefix)
    addresses = []
    if rng.random() < 0.3:
        for label in rng.sample(
            ["Dépôt", "Chantier Confluence", "Atelier 2", "Chantier Part-Dieu"], rng.randint(1, 2)
        ):
            city, postal_code, _ = rng.choice(names.CITIES)
            addresses.append(
                {"label": label, "street": names.street(rng), "postal_code": postal_code, "city": city}
            )
    obj = create_customer(
        by=by,
        name=seed.name,
        siren=siren,
        siret=names.siret_from(siren, rng.randint(1, 3)),
        vat_number=names.vat_from(siren),
        email=f"comptabilite@{domain}",
        phone=names.phone(rng, seed.phone_prefix),
        street=names.street(rng),
        postal_code=seed.postal_code,
        city=seed.city,
        payment_days=days,
        payment_end_of_month=end_of_month,
        contacts=contacts,
        delivery_addresses=addresses,
    )
    payer = rng.choices(["good", "slow", "bad"], weights=[70, 20, 10])[0]
    # A few customers buy far more than the others, as in any customer base.
    return StoryCustomer(
        obj, payer, rng.paretovariate(1.6), list(obj.delivery_addresses.all()) if addresses else []
    )


def create_foreign_customer(rng: random.Random, seed: names.ForeignCustomerSeed, *, by) -> StoryCustomer:
    """A customer abroad: the VAT regime follows from the country (EU business or export)."""
    obj = create_customer(
        by=by,
        name=seed.name,
        vat_number=seed.vat_number,
        email=f"comptabilite@{seed.domain}",
        phone=seed.phone,
        street=seed.street,
        postal_code=seed.postal_code,
        city=seed.city,
        country=seed.country,
        einvoice_address=seed.einvoice_address,
        einvoice_scheme=seed.einvoice_scheme,
        payment_days=30,
        contacts=_contacts(rng, seed.domain, None),
    )
    # They order now and then, and pay by transfer on time.
    return StoryCustomer(obj, "good", 0.6, abroad=True)


def _contacts(rng: random.Random, domain: str, phone_prefix: str | None) -> list[dict]:
    contacts = []
    for _ in range(rng.randint(1, 3)):
        who = names.person(rng)
        contacts.append(
            {
                "name": who,
                "job_title": rng.choice(names.JOB_TITLES),
                "email": f"{names.slug(who).replace('-', '.')}@{domain}",
                "phone": names.phone(rng, phone_prefix) if phone_prefix else "",
            }
        )
    return contacts
