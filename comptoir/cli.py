"""The `comptoir` console command: Django's manage.py under a friendlier name.

`comptoir seed-demo` runs the `seed_demo` management command: hyphens in the command name (and in the
name given to `comptoir help`) become underscores, everything else passes through to Django unchanged
(`migrate`, `runserver 0.0.0.0:8000`, `shell`…). The database is the one settings.py picks: DATABASE_URL
if set, else `var/comptoir.sqlite3` under the project root, whatever the current directory.
"""

import os
import sys


def command_name(name: str) -> str:
    """`seed-demo` → `seed_demo`; options and underscore names are left alone."""
    if name.startswith("-"):
        return name
    return name.replace("-", "_")


def translate_argv(argv: list[str]) -> list[str]:
    argv = list(argv)
    if len(argv) > 1:
        argv[1] = command_name(argv[1])
        if argv[1] == "help" and len(argv) > 2:
            argv[2] = command_name(argv[2])
    return argv


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    from django.core.management import execute_from_command_line

    argv = translate_argv(sys.argv if argv is None else argv)
    # Shown in usage messages as `comptoir …`, whatever path the script was started from.
    argv[0] = "comptoir"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
