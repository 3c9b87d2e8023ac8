"""What notifications does with each message and each tick; called by the app, free of Chalice."""
from __future__ import annotations

import hashlib
import logging
from typing import Any

from samling.contracts import (ApplicationSubmitted, EmailRequested, Envelope, EventConfigured,
                               InviteesAdded, GroupsFormed, ParticipantConfirmed,
                               ParticipantStatusChanged, ParticipantWithdrawn, PersonErased)
from samling.notifications.mailer import Mailer
from samling.notifications.projection import Projection
from samling.platform import clock
from samling.platform.errors import ApiError

log = logging.getLogger("samling.notifications")

_mailer: Mailer | None = None


def mailer() -> Mailer:
    global _mailer
    if _mailer is None:
        _mailer = Mailer()
    return _mailer


def handle(env: Envelope) -> None:
    body = env.body()
    projection = Projection()
    if isinstance(body, EmailRequested):
        mailer().deliver(body, env.event_id)
    elif isinstance(body, EventConfigured):
        projection.put_event(body.event)
    elif isinstance(body, ApplicationSubmitted) and body.participant and env.event_id:
        projection.put_participant(env.event_id, body.participant.model_dump(mode="json"))
    elif isinstance(body, (ParticipantConfirmed, ParticipantStatusChanged)) and env.event_id:
        projection.put_participant(env.event_id, body.participant.model_dump(mode="json"))
    elif isinstance(body, ParticipantWithdrawn):
        projection.set_status(body.participant_id, body.status)
    elif isinstance(body, PersonErased):
        projection.erase(body.participant_id)
        mailer().erase_person(body.participant_id)
    elif isinstance(body, InviteesAdded) and env.event_id:
        projection.add_invitees(env.event_id, body.invitees)
    elif isinstance(body, GroupsFormed) and env.event_id:
        projection.put_groups(env.event_id, body.groups)


def outbox(event_id: str) -> list[dict]:
    return sorted(mailer().outbox(event_id), key=lambda r: r["time"] or "")


def broadcast(event_id: str, payload: Any, lang: str) -> dict:
    projection = Projection()
    event = projection.event(event_id)
    if event is None:
        raise ApiError("not_found")
    fields = {}
    if not isinstance(payload, dict):
        raise ApiError("validation_error", fields={"audience": _required(lang)})
    audience = payload.get("audience")
    subject, text = payload.get("subject"), payload.get("body")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 200:
        fields["subject"] = _required(lang)
    if not isinstance(text, str) or not text.strip() or len(text) > 20_000:
        fields["body"] = _required(lang)
    people = [p for p in projection.participants(event_id) if p.get("status") == "confirmed"]
    if audience == "participants":
        chosen = people
    elif isinstance(audience, str) and audience.startswith("theme:"):
        chosen = [p for p in people if p.get("theme") == audience[6:]]
    elif isinstance(audience, str) and audience.startswith("group:"):
        members = set(projection.group_members(event_id, audience[6:]))
        chosen = [p for p in people if p["id"] in members]
    else:
        fields["audience"] = {"nb": "Velg mottakere: participants, theme:<id> eller group:<id>.",
                              "nn": "Vel mottakarar: participants, theme:<id> eller group:<id>.",
                              "en": "Choose recipients: participants, theme:<id> or group:<id>."}[lang]
        chosen = []
    if fields:
        raise ApiError("validation_error", fields=fields)
    digest = hashlib.sha256(f"{audience}|{subject}|{text}".encode()).hexdigest()[:16]
    title = _title(event, lang)
    sent = 0
    for person in chosen:
        mail = EmailRequested(
            key=f"broadcast:{event_id}:{digest}:{person['id']}", to=person["email"], template="broadcast",
            language=person.get("language") or lang, participant_id=person["id"],
            context={"name": person["name"], "event_title": _title(event, person.get("language") or lang),
                     "organiser": event.get("organiser", ""), "subject": subject, "body": text})
        if mailer().deliver(mail, event_id):
            sent += 1
    return {"audience": audience, "recipients": len(chosen), "sent": sent, "event_title": title}


def _title(event: dict, lang: str) -> str:
    titles = event.get("title") or {}
    return titles.get(lang) or next(iter(titles.values()), event["id"])


def _required(lang: str) -> str:
    return {"nb": "Fyll ut dette feltet.", "nn": "Fyll ut dette feltet.", "en": "Fill in this field."}[lang]


def send_due_reminders() -> dict:
    from samling.notifications.reminding import send_due

    return send_due(clock.now())
