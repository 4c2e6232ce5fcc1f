# ruff: noqa: F811 — the browser fixtures are imported from other test modules and used as arguments.
"""The direction's home (issue 20, point 9) in a real browser, on a year of the demo company: revenue and
margin month by month and the best customers by margin, drawn by the server as SVG images with their
text alternative (title, description, tables); nothing refused by the Content-Security-Policy; on a phone
the month chart keeps a readable size and scrolls inside its box, which the keyboard can reach."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.flows.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    _chart_of_accounts_back_after_the_flush,
    browser_page,
    shot,
)
from tests.flows.test_browser_accessibility import demo  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]


def test_the_direction_home_shows_twelve_months_of_revenue_and_margin_and_the_best_customers(
    demo, live_server, browser_page
):
    import datetime

    from comptoir.insights import selectors as margin_view
    from comptoir.web.trends import first_month

    today = datetime.date.today()
    best = max(
        margin_view.margins_by("customer", date_from=first_month(today), date_to=today),
        key=lambda row: row.margin.margin,
    )
    page, base = browser_page, live_server.url
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", "direction")
    page.fill("#id_password", demo.password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")

    months = page.get_by_role("img", name=re.compile(r"Chiffre d'affaires HT et marge par mois"))
    expect(months).to_be_visible()
    expect(months.locator("rect.column.series-1")).to_have_count(12)
    expect(months.locator("rect.column.series-2")).to_have_count(12)
    expect(months.locator("text.group-label")).to_have_count(12)
    # The description says every month in words, for a screen reader.
    description = months.locator("desc").text_content()
    assert description.count("chiffre d'affaires") == 12

    customers = page.get_by_role("img", name="Marge des meilleurs clients sur douze mois")
    expect(customers).to_be_visible()
    expect(customers.locator("rect.bar")).to_have_count(5)
    table = page.locator("#trend-customers-table")
    expect(table.locator("tbody tr").first).to_contain_text(best.label)

    # The month table opens from its summary, by keyboard.
    summary = page.get_by_text("Les chiffres du graphique")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#trend-months-table tbody tr")).to_have_count(12)
    page.locator("#direction-trends").scroll_into_view_if_needed()
    shot(page, "direction-accueil-1440")

    # A link goes to the margins page for the same twelve months.
    page.get_by_role("link", name="Détail des marges").click()
    page.wait_for_url(re.compile(r"/marges/\?par=mois&du="))
    expect(page.locator("table.data tbody tr")).not_to_have_count(0)

    # On a phone: no sideways scroll of the page; the chart scrolls inside its box, reachable by Tab.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/")
    overflow = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the home scrolls sideways by {overflow} px at 390 px"
    scroller = page.locator("#trend-months .chart-scroll")
    expect(scroller).to_have_attribute("tabindex", "0")
    expect(scroller).to_have_attribute("role", "region")
    font = page.evaluate(
        "() => { const t = document.querySelector('#trend-months text.group-label');"
        " return t.getBoundingClientRect().height; }"
    )
    assert font >= 9, f"month labels are {font} px tall on a phone"
    shot(page, "direction-accueil-390")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{base}/")
    expect(page.locator("#trend-months .chart-scroll")).not_to_have_attribute("tabindex", "0")
