"""The early-payment discount (escompte) arithmetic and wording: pure, no database."""

import datetime
from decimal import Decimal as D

from comptoir.billing.discounting import applies, early_discount, terms_text


def test_the_discount_is_the_rate_of_each_base_with_its_vat():
    discount = early_discount(
        [(D("20"), "S", D("1165.00")), (D("5.5"), "S", D("200.00")), (D("0"), "E", D("50"))], D("2")
    )
    assert [(p.rate, p.base, p.vat) for p in discount.parts] == [
        (D("20"), D("23.30"), D("4.66")),
        (D("5.5"), D("4.00"), D("0.22")),
        (D("0"), D("1.00"), D("0")),
    ]
    assert (discount.untaxed, discount.vat, discount.total) == (D("28.30"), D("4.88"), D("33.18"))


def test_it_applies_by_the_deadline_for_exactly_the_discounted_amount():
    discount = early_discount([(D("20"), "S", D("100.00"))], D("2"))  # 2.00 + 0.40
    until = datetime.date(2026, 12, 17)
    kwargs = {"until": until, "due": D("120.00"), "discount": discount}
    assert applies(paid_on=until, amount=D("117.60"), **kwargs)
    assert not applies(paid_on=until + datetime.timedelta(days=1), amount=D("117.60"), **kwargs)
    assert not applies(paid_on=until, amount=D("120.00"), **kwargs)
    assert not applies(paid_on=until, amount=D("117.60"), until=None, due=D("120.00"), discount=discount)


def test_the_terms_state_the_rate_the_deadline_and_the_amounts():
    discount = early_discount([(D("20"), "S", D("100.00"))], D("2.5"))
    text = terms_text(discount, until=datetime.date(2026, 12, 17), payable=D("120.00"))
    assert text == (
        "Escompte de 2,5\u00a0% pour paiement au plus tard le 17/12/2026 : 3,00 € déduits (dont TVA 0,50 €), "
        "soit 117,00 € à payer ; la TVA déductible est réduite d'autant."
    )
