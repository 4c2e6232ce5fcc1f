"""Signed-in test clients and the page text the web tests read."""

import html

from django.test import Client


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    """The page as a person reads it: entities decoded (« », narrow no-break spaces in amounts)."""
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    """The flash messages the page shows (Django's messages framework)."""
    return [str(m) for m in response.context["messages"]] if response.context else []
