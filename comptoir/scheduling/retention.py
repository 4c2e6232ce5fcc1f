"""Which backups to delete under a retention policy. Pure: no Django, no file system.

A backup is kept if it is among the `keep_count` newest, or younger than `keep_days`; the newest is
always kept, whatever the policy says. Either limit may be None (not applied); with both None nothing is
deleted.
"""

import datetime


def to_delete(
    backups: dict[str, datetime.datetime],
    *,
    now: datetime.datetime,
    keep_days: int | None = None,
    keep_count: int | None = None,
) -> list[str]:
    """Names of the backups the policy lets go, oldest first."""
    if keep_days is None and keep_count is None:
        return []
    newest_first = sorted(backups, key=lambda name: (backups[name], name), reverse=True)
    doomed = []
    for rank, name in enumerate(newest_first):
        if rank == 0:
            continue
        in_count = keep_count is not None and rank < keep_count
        in_days = keep_days is not None and now - backups[name] < datetime.timedelta(days=keep_days)
        if not (in_count or in_days):
            doomed.append(name)
    return list(reversed(doomed))


def parse_policy(text: str) -> tuple[int | None, int | None]:
    """COMPTOIR_BACKUP_KEEP: "14d" (days), "10" (count) or "14d,10" (both). Empty: keep 14 days."""
    text = (text or "").strip()
    if not text:
        return 14, None
    days = count = None
    for part in text.split(","):
        part = part.strip().lower()
        if part.endswith("d") and part[:-1].isdigit():
            days = int(part[:-1])
        elif part.isdigit():
            count = int(part)
        else:
            raise ValueError(
                f"COMPTOIR_BACKUP_KEEP: « {part} » n'est ni un nombre de jours (14d) ni un nombre (10)."
            )
    return days, count
