"""The time every service sees.

On AWS this is the wall clock. The local platform can freeze it at an instant
(``POST /_local/clock``) so deadlines and reminders can be tried at any moment.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def freeze(instant: datetime) -> None:
    global _frozen
    if instant.tzinfo is None:
        raise ValueError("the clock needs an instant with a UTC offset")
    _frozen = instant


def unfreeze() -> None:
    global _frozen
    _frozen = None


def iso(instant: datetime) -> str:
    """ISO 8601 with offset, in Oslo time, to the second (how the API shows instants)."""
    return instant.astimezone(OSLO).replace(microsecond=0).isoformat()
