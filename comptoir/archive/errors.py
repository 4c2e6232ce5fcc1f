"""Stable codes and French messages of the archive."""

from django.utils.translation import gettext_noop as N_

TAG_EMPTY = ("archive_tag_empty", N_("Indiquez l'étiquette à ajouter."))
