"""Django's makemessages, also extracting the project's two gettext aliases.

Error messages are declared with `N_ = gettext_noop` (translated later, when DomainError renders them)
and CSV column titles with `_l = gettext_lazy`: xgettext knows neither name, so without these keywords
their strings would silently stay out of the catalogs.

New strings arrive untranslated rather than "fuzzy": msgmerge's guesses come from whichever old string
looks closest ("Suivi interne" → "Next"), and an empty msgstr is what the i18n test reports.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_", "--keyword=_l"]
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
