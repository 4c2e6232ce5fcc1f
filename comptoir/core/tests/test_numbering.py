import datetime

import pytest
from django.db import transaction

from comptoir.core import numbering


@pytest.mark.django_db
def test_numbers_are_continuous_per_series_and_year():
    with transaction.atomic():
        taken = [numbering.next_number("FA", 2026) for _ in range(3)]
        other_year = numbering.next_number("FA", 2027)
        other_series = numbering.next_number("AV", 2026)
    assert taken == ["FA-2026-00001", "FA-2026-00002", "FA-2026-00003"]
    assert other_year == "FA-2027-00001"
    assert other_series == "AV-2026-00001"


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_number_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.next_number("FA", 2026)
        raise RuntimeError("failure after the number was taken")
    with transaction.atomic():
        assert numbering.next_number("FA", 2026) == "FA-2026-00001"


@pytest.mark.django_db
def test_numbers_meet_the_french_e_invoicing_format():
    import re

    with transaction.atomic():
        number = numbering.next_number("FA", datetime.date.today().year)
    assert re.fullmatch(r"[A-Za-z0-9+\-_/]{1,35}", number)
