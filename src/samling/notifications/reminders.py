"""Which reminder mails are due at a given moment.

The scheduler calls ``due_reminders`` on every tick with the current projections; it claims each
returned ``key`` in the mail ledger before sending, so a reminder goes out once however often the
tick runs. A reminder is due from its moment (e.g. deadline − 7 days) until ``max_lateness``
after it: a platform that was down for a week should not wake up and send a week-old "one week
left" mail. Nothing is sent once the thing reminded of (deadline, session, offer expiry) has
passed.

>>> from datetime import datetime, timedelta
>>> from zoneinfo import ZoneInfo
>>> deadline = datetime(2021, 6, 21, 23, 59, 59, tzinfo=ZoneInfo("Europe/Oslo"))
>>> event = EventSchedule("k21", deadline, (), ReminderPolicy(deadline_days_before=(7,)))
>>> invitee = Invitee("k21", "post@kommune.example", "1508")
>>> [r.key for r in due_reminders(deadline - timedelta(days=6), [event], [], [invitee], {})]
['reminder:k21:deadline_reminder:deadline@20210621T215959Z:7d:post@kommune.example']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

ReminderKind = Literal["deadline_reminder", "session_reminder", "offer_reminder"]
Audience = Literal["all", "leaders"]

DEFAULT_MAX_LATENESS = timedelta(days=1)


def _aware(value: datetime | str, what: str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} has no offset: {value.isoformat()}")
    return value


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class SessionSlot:
    id: str
    start: datetime
    audience: Audience = "all"


@dataclass(frozen=True)
class ReminderPolicy:
    deadline_days_before: tuple[int, ...] = ()
    session_hours_before: tuple[int, ...] = ()
    offer_days_before_expiry: tuple[int, ...] = ()

    @classmethod
    def from_config(cls, config: Mapping[str, Iterable[int]] | None) -> ReminderPolicy:
        """From the event's ``reminders`` block; a missing block or key means no reminders."""
        config = config or {}
        return cls(*(tuple(int(n) for n in config.get(name) or ())
                     for name in ("deadline_days_before", "session_hours_before",
                                  "offer_days_before_expiry")))


@dataclass(frozen=True)
class EventSchedule:
    id: str
    deadline: datetime | None
    sessions: tuple[SessionSlot, ...]
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)

    @classmethod
    def from_config(cls, event: Mapping[str, Any]) -> EventSchedule:
        """From an event configuration as in the HTTP contract (ISO strings are fine)."""
        deadline = (event.get("registration") or {}).get("deadline")
        return cls(
            id=event["id"],
            deadline=_aware(deadline, "deadline") if deadline else None,
            sessions=tuple(
                SessionSlot(s["id"], _aware(s["start"], f"session {s['id']}"),
                            s.get("audience") or "all")
                for s in event.get("sessions") or ()),
            reminders=ReminderPolicy.from_config(event.get("reminders")),
        )


@dataclass(frozen=True)
class Recipient:
    """A registered person. ``sessions`` None means every session open to them."""
    id: str
    event_id: str
    email: str
    language: str
    status: str
    is_leader: bool = False
    offer_expires_at: datetime | None = None
    sessions: frozenset[str] | None = None


@dataclass(frozen=True)
class Invitee:
    event_id: str
    email: str
    municipality: str
    language: str = "nb"


@dataclass(frozen=True)
class DueReminder:
    key: str
    kind: ReminderKind
    event_id: str
    email: str
    language: str
    moment: datetime            # when it became due
    target_time: datetime       # the deadline, session start or offer expiry reminded of
    offset: str                 # "7d", "24h"
    recipient_id: str | None = None     # the application id; None for invitees
    session_id: str | None = None
    municipality: str | None = None     # set for invitees


def session_open_to(slot: SessionSlot, person: Recipient) -> bool:
    if slot.audience == "leaders" and not person.is_leader:
        return False
    return person.sessions is None or slot.id in person.sessions


def _is_due(now: datetime, moment: datetime, target: datetime, max_lateness: timedelta) -> bool:
    return moment <= now < target and now - moment <= max_lateness


def due_reminders(
    now: datetime,
    events: Sequence[EventSchedule],
    people: Sequence[Recipient],
    invitees: Sequence[Invitee],
    applied_municipalities: Mapping[str, set[str] | frozenset[str]],
    max_lateness: timedelta = DEFAULT_MAX_LATENESS,
) -> list[DueReminder]:
    """Every reminder due at ``now``, ordered by moment then key, each key at most once, and
    per recipient and reminded-of thing only the nearest offset.

    - ``deadline_reminder`` to invitees whose municipality is not in
      ``applied_municipalities[event_id]``;
    - ``session_reminder`` to ``confirmed`` people, for sessions open to them;
    - ``offer_reminder`` to ``offered`` people with an ``offer_expires_at``.

    Keys name the reminded-of time, so a moved deadline or session is reminded of afresh.
    """
    now = _aware(now, "now")
    by_event: dict[str, list[Recipient]] = {}
    for person in people:
        by_event.setdefault(person.event_id, []).append(person)
    invited: dict[str, dict[str, Invitee]] = {}
    for inv in invitees:
        invited.setdefault(inv.event_id, {}).setdefault(inv.email.strip().lower(), inv)

    due: dict[str, DueReminder] = {}

    def add(reminder: DueReminder) -> None:
        due.setdefault(reminder.key, reminder)

    for event in events:
        policy = event.reminders
        if event.deadline is not None:
            deadline = _aware(event.deadline, "deadline")
            applied = applied_municipalities.get(event.id, set())
            target = f"deadline@{_stamp(deadline)}"
            for days in policy.deadline_days_before:
                moment = deadline - timedelta(days=days)
                if not _is_due(now, moment, deadline, max_lateness):
                    continue
                for email, inv in invited.get(event.id, {}).items():
                    if inv.municipality in applied:
                        continue
                    add(DueReminder(
                        key=f"reminder:{event.id}:deadline_reminder:{target}:{days}d:{email}",
                        kind="deadline_reminder", event_id=event.id, email=inv.email,
                        language=inv.language, moment=moment, target_time=deadline,
                        offset=f"{days}d", municipality=inv.municipality))

        for person in by_event.get(event.id, ()):
            if person.status == "confirmed":
                for slot in event.sessions:
                    if not session_open_to(slot, person):
                        continue
                    start = _aware(slot.start, f"session {slot.id}")
                    for hours in policy.session_hours_before:
                        moment = start - timedelta(hours=hours)
                        if not _is_due(now, moment, start, max_lateness):
                            continue
                        add(DueReminder(
                            key=(f"reminder:{event.id}:session_reminder:{slot.id}@{_stamp(start)}"
                                 f":{hours}h:{person.id}"),
                            kind="session_reminder", event_id=event.id, email=person.email,
                            language=person.language, moment=moment, target_time=start,
                            offset=f"{hours}h", recipient_id=person.id, session_id=slot.id))
            elif person.status == "offered" and person.offer_expires_at is not None:
                expires = _aware(person.offer_expires_at, "offer expiry")
                for days in policy.offer_days_before_expiry:
                    moment = expires - timedelta(days=days)
                    if not _is_due(now, moment, expires, max_lateness):
                        continue
                    add(DueReminder(
                        key=(f"reminder:{event.id}:offer_reminder:offer@{_stamp(expires)}"
                             f":{days}d:{person.id}"),
                        kind="offer_reminder", event_id=event.id, email=person.email,
                        language=person.language, moment=moment, target_time=expires,
                        offset=f"{days}d", recipient_id=person.id))

    # When two offsets for the same thing are due together (a tick after downtime, or offsets
    # closer than max_lateness), only the nearer one is worth reading; the other stays unsent.
    latest: dict[tuple[str, str, str, datetime, str], DueReminder] = {}
    for r in due.values():
        group = (r.event_id, r.kind, r.session_id or "", r.target_time, r.recipient_id or r.email)
        if group not in latest or r.moment > latest[group].moment:
            latest[group] = r
    return sorted(latest.values(), key=lambda r: (r.moment, r.key))
