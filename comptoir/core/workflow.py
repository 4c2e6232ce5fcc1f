"""Transition tables: every document declares which status may follow which, and services ask here."""

from django.utils.translation import gettext_noop as N_

from comptoir.core.errors import Conflict


def can(transitions: dict, current: str, target: str) -> bool:
    return target in transitions.get(current, ())


def require(transitions: dict, current: str, target: str, *, document: str, labels=None) -> None:
    """Refuse an illegal transition; `labels` is the Status TextChoices, to name states in French."""
    if not can(transitions, current, target):
        raise Conflict(
            "invalid_transition",
            N_("%(document)s est à l'état « %(current)s » : impossible de passer à « %(target)s »."),
            document=document,
            current=str(labels(current).label) if labels else current,
            target=str(labels(target).label) if labels else target,
        )
