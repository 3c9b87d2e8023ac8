"""Calendar invitations (iCalendar, RFC 5545) for a participant's sessions.

>>> from datetime import datetime
>>> s = SessionInfo("s1", "Økt 1", datetime(2021, 9, 22, 9, tzinfo=OSLO),
...                 datetime(2021, 9, 22, 13, tzinfo=OSLO), None, "https://example.invalid/m")
>>> b"UID:klima-s1-a1@samling" in calendar_for("klima", "Klima", "Miljødirektoratet", [s], "a1")
True

Each session is one VEVENT whose UID depends only on event, session and participant, so a later
invitation with a higher ``sequence`` replaces the earlier one in the reader's calendar instead of
adding a copy. Times are written in Europe/Oslo with the matching VTIMEZONE, which calendar apps
need to show a session at the right hour on either side of a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
CONTENT_TYPE = "text/calendar; charset=utf-8; method=REQUEST"
FILENAME = "invitasjon.ics"


@dataclass(frozen=True)
class SessionInfo:
    id: str
    title: str
    start: datetime
    end: datetime
    location: str | None = None
    join_url: str | None = None


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"session time without offset: {value.isoformat()}")
    return value.astimezone(OSLO)


def session_uid(event_id: str, session_id: str, participant_id: str) -> str:
    return f"{event_id}-{session_id}-{participant_id}@samling"


def calendar_for(
    event_id: str,
    event_title: str,
    organiser: str,
    sessions: Sequence[SessionInfo],
    participant_id: str,
    sequence: int = 0,
    *,
    method: Literal["REQUEST", "CANCEL"] = "REQUEST",
    organiser_email: str | None = None,
    attendee_email: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """One calendar holding every given session. ``method="CANCEL"`` (with a higher
    ``sequence``) takes the sessions out of the participant's calendar again. ``now`` is the
    DTSTAMP; pass it so that the same input gives the same bytes."""
    import icalendar  # only the notifications service ships it

    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Samling//Samling//NB")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", event_title)

    for s in sessions:
        start, end = _aware(s.start), _aware(s.end)
        if end <= start:
            raise ValueError(f"session {s.id} ends before it starts")
        ev = icalendar.Event()
        ev.add("uid", session_uid(event_id, s.id, participant_id))
        ev.add("sequence", sequence)
        ev.add("dtstamp", stamp)
        ev.add("dtstart", start)
        ev.add("dtend", end)
        ev.add("summary", f"{event_title}: {s.title}")
        ev.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
        ev.add("transp", "OPAQUE")
        description = [event_title, s.title]
        if s.location:
            ev.add("location", s.location)
        elif s.join_url:
            ev.add("location", s.join_url)
        if s.join_url:
            ev.add("url", s.join_url)
            description.append(s.join_url)
        ev.add("description", "\n".join(description))
        if organiser_email:
            ev.add("organizer", f"mailto:{organiser_email}", parameters={"CN": organiser})
        if attendee_email:
            ev.add("attendee", f"mailto:{attendee_email}",
                   parameters={"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"})
        cal.add_component(ev)

    if sessions:
        # A narrow range keeps the VTIMEZONE to the few transitions that matter.
        years = [_aware(s.start).year for s in sessions] + [_aware(s.end).year for s in sessions]
        cal.add_missing_timezones(first_date=date(min(years) - 1, 1, 1),
                                  last_date=date(max(years) + 1, 12, 31))
    return cal.to_ical()
