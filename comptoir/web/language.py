"""The interface language: French, unless the user picked English in the user menu.

Comptoir is written for French SMEs: its documents, legal mentions and accounting vocabulary are
French first. Django's LocaleMiddleware would follow the browser's Accept-Language, so a browser left
on its default English (Chromium sends en-US) would switch an accountant's books to English without
anyone asking. Only an explicit choice counts: the language cookie that Django's set_language view
writes when the user changes the language in the user menu.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request) -> str:
    """The language of the cookie set from the user menu if it is one of LANGUAGES, else French."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Activates chosen_language() for the request; stands in for LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        # The same URL renders in either language depending on the cookie.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
