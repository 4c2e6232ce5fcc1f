# ruff: noqa: F811 — the demo fixture is imported from test_browser_accessibility.py and used as an argument.
"""No dead ends by role (issue 20, « Done when »): on a year of the demo company, each of the six roles opens
every page it may see, and every action it is shown there — each enabled button of a POST form, each link
drawn as a button — is carried out as that role. None may be refused for lack of permission: an action the
role cannot do must be hidden, or shown disabled with the reason. Each POST runs in a transaction rolled
back afterwards, so the next one meets the same documents; what the service refuses for another reason
(a state, a missing field) is not this test's business."""

import datetime
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import resolve
from lxml import html as lxml_html

from tests.flows.test_browser_accessibility import demo, pages  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

ROLES = ["commercial", "adv", "logistique", "compta", "direction", "demo"]
REFUSED = "Votre rôle ne permet pas"
# Forms of the page frame, on every page: not actions on the page's documents.
FRAME_ACTIONS = {"/deconnexion/", "/i18n/setlang/"}
# Actions not carried out here, with why (they are still shown only to the roles that may use them:
# their pages are opened by `jobs.manage` and `data.export` alone, which test_pages checks).
NOT_RUN = {
    re.compile(r"^/parametres/taches/[\w-]+/lancer/$"): "runs a job now (a backup writes files)",
    re.compile(r"^/parametres/export-complet/$"): "builds the full export zip",
}


class _RolledBack(Exception):
    pass


def _fill(form, button) -> dict[str, list[str]]:
    """What a person submitting the form as drawn would send, empty required fields filled plausibly, so
    that the service is reached and its permission check runs."""
    data: dict[str, list[str]] = {}
    today = datetime.date.today().isoformat()
    for field in form.xpath(".//input|.//select|.//textarea"):
        name = field.get("name")
        if not name or field.get("disabled") is not None:
            continue
        tag, kind = field.tag, (field.get("type") or "text").lower()
        if tag == "input" and kind in ("submit", "button", "image", "reset", "file"):
            continue
        if tag == "input" and kind in ("checkbox", "radio"):
            if field.get("checked") is not None:
                data.setdefault(name, []).append(field.get("value") or "on")
            continue
        if tag == "select":
            options = field.xpath(".//option")
            chosen = [o for o in options if o.get("selected") is not None] or [
                o for o in options if (o.get("value") or o.text or "").strip()
            ][:1]
            if chosen:
                data.setdefault(name, []).append(chosen[0].get("value", chosen[0].text or ""))
            continue
        value = (field.text or "") if tag == "textarea" else (field.get("value") or "")
        if not value and field.get("required") is not None:
            value = {"number": "1", "date": today, "email": "essai@example.com"}.get(kind, "Essai")
        data.setdefault(name, []).append(value)
    if button is not None and button.get("name"):
        data.setdefault(button.get("name"), []).append(button.get("value") or "")
    return data


def _actions(page_path: str, content: bytes):
    """(url, data, label) of every enabled submit button of the page's POST forms, and (url, label) of
    every link drawn as a button."""
    tree = lxml_html.fromstring(content)
    posts, links = [], []
    for form in tree.xpath("//form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        action = urlsplit(urljoin(page_path, form.get("action") or page_path))
        url = action.path + (f"?{action.query}" if action.query else "")
        if action.path in FRAME_ACTIONS:
            continue
        if form.xpath(".//input[@type='password']"):
            continue  # a secret the person types (their password): no service is reached without it
        buttons = form.xpath(".//button[not(@type) or @type='submit']|.//input[@type='submit']")
        buttons += tree.xpath(f"//button[@form='{form.get('id')}']") if form.get("id") else []
        for button in buttons:
            if button.get("disabled") is not None or button.get("aria-disabled") == "true":
                continue
            label = " ".join((button.text_content() or button.get("value") or "").split())
            posts.append((url, _fill(form, button), label))
    for link in tree.xpath("//main//a[contains(concat(' ', @class, ' '), ' btn ')][@href]"):
        href = urlsplit(urljoin(page_path, link.get("href")))
        if href.scheme or href.netloc or not href.path.startswith("/"):
            continue
        links.append(
            (href.path + (f"?{href.query}" if href.query else ""), " ".join(link.text_content().split()))
        )
    return posts, links


def _refusal(response) -> str | None:
    if response.status_code == 403:
        return "403"
    html_page = response.get("Content-Type", "").startswith("text/html") and not response.streaming
    text = response.content.decode(errors="replace") if html_page else ""
    request_messages = getattr(response.wsgi_request, "_messages", None)
    said = [str(m) for m in getattr(request_messages, "_queued_messages", [])]
    for message in [*said, text]:
        if REFUSED in message:
            return message[message.index(REFUSED) :][:160]
    return None


def test_no_action_shown_to_a_role_is_refused_for_lack_of_permission(demo):
    every_page = list(
        dict.fromkeys(path for role_pages in pages(demo).values() for _name, path in role_pages)
    )
    refused, counted = [], {"pages": 0, "posts": 0, "links": 0}
    for role in ROLES:
        client = Client()
        client.force_login(demo.users[role])
        opened_links = set()
        for path in every_page:
            response = client.get(path)
            if response.status_code != 200:
                continue  # a page this role may not open (its menu does not show it: test_pages)
            counted["pages"] += 1
            posts, links = _actions(path, response.content)
            for url, data, label in posts:
                if any(pattern.match(url) for pattern in NOT_RUN):
                    continue
                counted["posts"] += 1
                session = client.cookies[settings.SESSION_COOKIE_NAME].value
                try:
                    with transaction.atomic():
                        answer = client.post(url, data)
                        raise _RolledBack
                except _RolledBack:
                    pass
                # The session as it was (an action may have renewed it, e.g. a password change).
                client.cookies[settings.SESSION_COOKIE_NAME] = session
                why = _refusal(answer)
                if why:
                    refused.append(f"{role} on {path}: « {label} » (POST {url}) → {why}")
            for url, label in links:
                # One link per kind of page and role: the permission of a page does not depend on which
                # document it shows.
                kind = resolve(urlsplit(url).path).url_name
                if kind in opened_links:
                    continue
                opened_links.add(kind)
                counted["links"] += 1
                answer = client.get(url)
                why = _refusal(answer)
                if why:
                    refused.append(f"{role} on {path}: link « {label} » ({url}) → {why}")
    print(counted)
    assert counted["posts"] > 100 and counted["links"] > 20, counted
    assert refused == [], "\n".join(refused)
