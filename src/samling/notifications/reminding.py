"""The scheduled tick: from notifications' own projection, queue every reminder that is due
and not yet sent. Each reminder's key is claimed in the ledger when the queued request is
delivered, so a tick fired twice, late or after downtime sends it once; one whose moment
passed more than a day ago is not queued, and one still queued a day after its moment is
dropped (``not_after``).

Going through the queue rather than sending here keeps the tick short whatever the number of
reminders, and gives each mail the queue's retries and dead-letter queue."""
from __future__ import annotations

from datetime import datetime

from samling import registry
from samling.contracts import EmailRequested
from samling.notifications.projection import Projection
from samling.notifications.reminders import (DEFAULT_MAX_LATENESS, DueReminder, EventSchedule, Invitee,
                                             Recipient, due_reminders)
from samling.platform import bus, i18n, settings
from samling.platform.consumer import Ledger

SERVICE = "notifications"


def _title(event: dict, lang: str) -> str:
    return i18n.event_title(event, lang)


def send_due(now: datetime) -> dict:
    projection = Projection()
    events = {e["id"]: e for e in projection.events()}
    schedules, people, invitees, applied, names = [], [], [], {}, {}
    for event_id, event in events.items():
        schedules.append(EventSchedule.from_config(event))
        applied[event_id] = projection.applied_municipalities(event_id)
        for p in projection.participants(event_id):
            names[p["id"]] = p.get("name", "")
            people.append(Recipient(id=p["id"], event_id=event_id, email=p["email"],
                                    language=p.get("language") or "nb", status=p.get("status", ""),
                                    is_leader=bool(p.get("is_leader")),
                                    offer_expires_at=_instant(p.get("offer_expires_at")),
                                    sessions=frozenset(p["sessions"]) if p.get("sessions") else None))
        for i in projection.invitees(event_id):
            invitees.append(Invitee(event_id=event_id, email=i["email"], municipality=i.get("municipality"),
                                    language=i.get("language") or "nb"))
    by_id = {p.id: p for p in people}
    ledger = Ledger(SERVICE)
    mails: dict[str | None, list[EmailRequested]] = {}
    for due in due_reminders(now, schedules, people, invitees, applied):
        if ledger.seen(due.key):
            continue
        mails.setdefault(due.event_id, []).append(
            _reminder_mail(due, events[due.event_id], names, by_id))
    for event_id, batch in mails.items():
        bus.request_emails(batch, event_id=event_id)
    return {"queued": sum(len(b) for b in mails.values())}


def _reminder_mail(due: DueReminder, event: dict, names: dict[str, str],
                   people: dict[str, Recipient]) -> EmailRequested:
    lang = due.language
    context = {"event_title": _title(event, lang), "organiser": event.get("organiser", "")}
    if due.kind == "deadline_reminder":
        found = registry.municipality(due.municipality) if due.municipality else None
        context.update(form_url=f"{settings.public_url()}/registration/events/{event['id']}/form?lang={lang}",
                       deadline=event["registration"]["deadline"],
                       municipality_name=found.name if found else None)
    elif due.kind == "session_reminder":
        session = next(s for s in event["sessions"] if s["id"] == due.session_id)
        titles = session.get("title") or {}
        context.update(name=names.get(due.recipient_id or "", ""),
                       session_title=titles.get(lang) or next(iter(titles.values()), session["id"]),
                       session_start=session["start"], session_end=session["end"],
                       join_url=session.get("join_url"),
                       venue=event.get("venue") if session.get("mode") == "physical" else None)
    else:
        recipient = people[due.recipient_id or ""]
        context.update(name=names.get(recipient.id, ""),
                       offer_url=f"{settings.public_url()}/registration/applications/{recipient.id}/manage",
                       respond_by=recipient.offer_expires_at.isoformat() if recipient.offer_expires_at else None)
    # Worth reading only while it is still due: until the thing reminded of, and never more
    # than the allowed lateness after its moment.
    not_after = min(due.target_time, due.moment + DEFAULT_MAX_LATENESS)
    return EmailRequested(key=due.key, to=due.email, template=due.kind, language=lang,
                          participant_id=due.recipient_id, context=context, not_after=not_after)


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
