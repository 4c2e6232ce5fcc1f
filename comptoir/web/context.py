from comptoir.core.permissions import ROLE_LABELS, has_perm, roles_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    return {
        "user_roles": [ROLE_LABELS[r] for r in sorted(roles)],
        "can": _PermissionLookup(user),
    }


class _PermissionLookup:
    """`{% if can.invoice__issue %}` in templates: permission codes with '.' written as '__'."""

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return has_perm(self._user, name.replace("__", "."))

    def __getitem__(self, name):
        return has_perm(self._user, name)
