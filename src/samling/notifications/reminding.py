"""The scheduled tick: from notifications' own projection, send every reminder that is due
and not yet sent. Each reminder's key is claimed in the ledger, so a tick fired twice, late or
after downtime sends it once; one whose moment passed more than a day ago is not sent at all."""
from __future__ import annotations

from datetime import datetime

from samling import registry
from samling.contracts import EmailRequested
from samling.notifications.projection import Projection
from samling.notifications.reminders import EventSchedule, Invitee, Recipient, due_reminders
from samling.platform import settings


def _title(event: dict, lang: str) -> str:
    titles = event.get("title") or {}
    return titles.get(lang) or next(iter(titles.values()), event["id"])


def send_due(now: datetime) -> dict:
    from samling.notifications.handlers import mailer

    projection = Projection()
    events = {e["id"]: e for e in projection.events()}
    schedules, people, invitees, applied = [], [], [], {}
    for event_id, event in events.items():
        schedules.append(EventSchedule.from_config(event))
        applied[event_id] = projection.applied_municipalities(event_id)
        for p in projection.participants(event_id):
            people.append(Recipient(id=p["id"], event_id=event_id, email=p["email"],
                                    language=p.get("language") or "nb", status=p.get("status", ""),
                                    is_leader=bool(p.get("is_leader")), offer_expires_at=_instant(p.get("offer_expires_at")),
                                    sessions=frozenset(p["sessions"]) if p.get("sessions") else None))
        for i in projection.invitees(event_id):
            invitees.append(Invitee(event_id=event_id, email=i["email"], municipality=i.get("municipality"),
                                    language=i.get("language") or "nb"))
    by_id = {p.id: p for p in people}
    names = {p["id"]: p.get("name", "") for e in events for p in projection.participants(e)}
    sent = 0
    for due in due_reminders(now, schedules, people, invitees, applied):
        event = events[due.event_id]
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
            context.update(name=names.get(due.recipient_id, ""),
                           session_title=titles.get(lang) or next(iter(titles.values()), session["id"]),
                           session_start=session["start"], session_end=session["end"],
                           join_url=session.get("join_url"),
                           venue=event.get("venue") if session.get("mode") == "physical" else None)
        else:
            recipient = by_id[due.recipient_id]
            context.update(name=names.get(due.recipient_id, ""),
                           offer_url=f"{settings.public_url()}/registration/applications/{recipient.id}/manage",
                           respond_by=recipient.offer_expires_at)
        mail = EmailRequested(key=due.key, to=due.email, template=due.kind, language=lang,
                              participant_id=due.recipient_id, context=context)
        if mailer().deliver(mail, due.event_id):
            sent += 1
    return {"sent": sent}


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
