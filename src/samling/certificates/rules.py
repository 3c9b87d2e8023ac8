"""Who earns a participation certificate, and how the event's dates are written on it.

Pure functions over plain data: the certificates service feeds them the event configuration and
the attendance it has recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from samling.certificates.texts import format_date_range

EVENT_ZONE: Final = ZoneInfo("Europe/Oslo")
AUDIENCES: Final = ("all", "leaders")
LEADER_ROLES: Final = frozenset({"ordforer", "kommunedirektor"})

# Attendance shares are ratios of small integers; the tolerance keeps 2/3 against a configured
# 0.6667 (or 3/4 against 0.75 after a JSON round trip) from failing on the last bit.
_SHARE_TOLERANCE: Final = 1e-9


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: str
    audience: str = "all"
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ValueError(f"unknown session audience {self.audience!r}")
        for moment in (self.start, self.end):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("session times must be timezone-aware")

    @classmethod
    def from_config(cls, session: Mapping[str, Any]) -> SessionInfo:
        """Build from a session of the event configuration (ISO 8601 strings or datetimes)."""
        return cls(
            id=str(session["id"]),
            audience=session.get("audience") or "all",
            start=_as_datetime(session.get("start")),
            end=_as_datetime(session.get("end")),
        )


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def is_leader_role(role: str | None) -> bool:
    """Only mayors and chief municipal executives may join leaders-only sessions."""
    return (role or "").strip().lower() in LEADER_ROLES


def sessions_open_to(sessions: Sequence[SessionInfo], is_leader: bool) -> list[str]:
    """Ids of the sessions this person could attend, in the given order."""
    return [s.id for s in sessions if s.audience == "all" or (is_leader and s.audience == "leaders")]


def attended_share(attended: set[str], open_sessions: Iterable[str | SessionInfo]) -> float:
    """Share of the open sessions the person attended; attendance elsewhere does not count."""
    open_ids = {s.id if isinstance(s, SessionInfo) else s for s in open_sessions}
    if not open_ids:
        return 0.0
    return len(open_ids & set(attended)) / len(open_ids)


def qualifies(
    attended: set[str],
    sessions: Sequence[SessionInfo],
    is_leader: bool,
    min_attendance: float,
) -> bool:
    """Whether the person has earned a certificate.

    They must have attended at least `min_attendance` of the sessions open to them, and at least
    one of them: a certificate says the person took part, so nobody gets one for nothing, even
    with `min_attendance` 0. An event with no session open to the person gives no certificate.
    """
    if not 0.0 <= min_attendance <= 1.0:
        raise ValueError("min_attendance must be between 0 and 1")
    open_ids = sessions_open_to(sessions, is_leader)
    if not open_ids or not set(attended) & set(open_ids):
        return False
    return attended_share(attended, open_ids) + _SHARE_TOLERANCE >= min_attendance


def _local_days(session: SessionInfo) -> list[date]:
    days = []
    if session.start is not None:
        days.append(session.start.astimezone(EVENT_ZONE).date())
    if session.end is not None:
        end = session.end
        # A session ending exactly at midnight belongs to the day before.
        if session.start is not None and end > session.start:
            end = end - timedelta(microseconds=1)
        days.append(end.astimezone(EVENT_ZONE).date())
    return days


def event_dates_text(sessions: Sequence[SessionInfo], lang: str) -> str:
    """The span from the first to the last session day, in Oslo time, e.g.
    `22.–30. september 2021` (nb/nn) or `22 – 30 September 2021` (en)."""
    days = [d for s in sessions for d in _local_days(s)]
    if not days:
        raise ValueError("no session has a start or an end")
    return format_date_range(min(days), max(days), lang)
