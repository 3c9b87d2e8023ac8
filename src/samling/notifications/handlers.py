"""What notifications does with each message and each tick; called by the app, free of Chalice."""
from __future__ import annotations

import hashlib
import logging
from typing import Any

from samling.contracts import (ApplicationSubmitted, EmailRequested, Envelope, EventConfigured,
                               GroupsFormed, InviteesAdded, ParticipantConfirmed,
                               ParticipantStatusChanged, ParticipantWithdrawn, PersonErased)
from samling.notifications.mailer import Mailer
from samling.notifications.projection import Projection
from samling.platform import bus, clock, i18n
from samling.platform.errors import ApiError

log = logging.getLogger("samling.notifications")

_mailer: Mailer | None = None

SUBJECT_MAX = 200
BODY_MAX = 20_000


def mailer() -> Mailer:
    global _mailer
    if _mailer is None:
        _mailer = Mailer()
    return _mailer


def handle(env: Envelope) -> None:
    body = env.body()
    at = env.occurred_at.timestamp()
    projection = Projection()
    if isinstance(body, EmailRequested):
        mailer().deliver(body, env.event_id)
    elif isinstance(body, EventConfigured):
        projection.put_event(body.event, at)
    elif isinstance(body, ApplicationSubmitted) and body.participant and env.event_id:
        projection.put_participant(env.event_id, body.participant.model_dump(mode="json"), at)
    elif isinstance(body, (ParticipantConfirmed, ParticipantStatusChanged)) and env.event_id:
        projection.put_participant(env.event_id, body.participant.model_dump(mode="json"), at)
    elif isinstance(body, ParticipantWithdrawn):
        projection.set_status(body.participant_id, body.status, at)
    elif isinstance(body, PersonErased):
        projection.erase(body.participant_id)
        mailer().erase_person(body.participant_id)
    elif isinstance(body, InviteesAdded) and env.event_id:
        projection.add_invitees(env.event_id, body.invitees)
    elif isinstance(body, GroupsFormed) and env.event_id:
        projection.put_groups(env.event_id, body.groups)


def outbox(event_id: str, lang: str) -> list[dict]:
    mails = mailer().outbox(event_id)
    if not mails and Projection().event(event_id) is None:
        raise ApiError("not_found")
    return sorted(mails, key=lambda r: r["time"] or "")


_AUDIENCE_TEXT = {
    "choose": {"nb": "Velg mottakere: participants, theme:<id> eller group:<id>.",
               "nn": "Vel mottakarar: participants, theme:<id> eller group:<id>.",
               "en": "Choose the recipients: participants, theme:<id> or group:<id>."},
    "theme": {"nb": "Arrangementet har ikke noe tema med denne id-en.",
              "nn": "Arrangementet har ikkje noko tema med denne id-en.",
              "en": "The event has no theme with this id."},
    "group": {"nb": "Arrangementet har ingen gruppe med denne id-en.",
              "nn": "Arrangementet har inga gruppe med denne id-en.",
              "en": "The event has no group with this id."},
    "subject": {"nb": f"Emnet kan være på høyst {SUBJECT_MAX} tegn, på én linje.",
                "nn": f"Emnet kan vere på høgst {SUBJECT_MAX} teikn, på éi linje.",
                "en": f"The subject can be at most {SUBJECT_MAX} characters, on one line."},
    "body": {"nb": f"Skriv meldingen (høyst {BODY_MAX} tegn).",
             "nn": f"Skriv meldinga (høgst {BODY_MAX} teikn).",
             "en": f"Write the message (at most {BODY_MAX} characters)."},
}


def _text(name: str, lang: str) -> str:
    texts = _AUDIENCE_TEXT[name]
    return texts.get(lang, texts["nb"])


def broadcast(event_id: str, payload: Any, lang: str) -> dict:
    """Queue one mail to each person in the audience. The same message to the same audience
    again mails no one twice (the keys repeat), so an organiser's retry is safe."""
    projection = Projection()
    event = projection.event(event_id)
    if event is None:
        raise ApiError("not_found")
    if not isinstance(payload, dict):
        raise ApiError("bad_request")
    fields: dict[str, str] = {}
    audience, subject, text = payload.get("audience"), payload.get("subject"), payload.get("body")
    # Without a subject the mail is titled with the event's name.
    if subject is None:
        subject = ""
    if not isinstance(subject, str) or len(subject) > SUBJECT_MAX or "\n" in subject or "\r" in subject:
        fields["subject"] = _text("subject", lang)
    if not isinstance(text, str) or not text.strip() or len(text) > BODY_MAX:
        fields["body"] = _text("body", lang)
    people = [p for p in projection.participants(event_id) if p.get("status") == "confirmed"]
    chosen: list[dict] = []
    if audience == "participants":
        chosen = people
    elif isinstance(audience, str) and audience.startswith("theme:"):
        theme = audience.removeprefix("theme:")
        if theme not in {t.get("id") for t in event.get("themes") or []}:
            fields["audience"] = _text("theme", lang)
        chosen = [p for p in people if p.get("theme") == theme]
    elif isinstance(audience, str) and audience.startswith("group:"):
        members = projection.group_members(event_id, audience.removeprefix("group:"))
        if members is None:
            fields["audience"] = _text("group", lang)
        chosen = [p for p in people if p["id"] in set(members or ())]
    else:
        fields["audience"] = _text("choose", lang)
    if fields:
        raise ApiError("validation_error", fields=fields)
    digest = hashlib.sha256(f"{audience}|{subject}|{text}".encode()).hexdigest()[:16]
    mails = []
    for person in chosen:
        language = person.get("language") or lang
        mails.append(EmailRequested(
            key=f"broadcast:{event_id}:{digest}:{person['id']}", to=person["email"], template="broadcast",
            language=language, participant_id=person["id"],
            context={"name": person["name"], "event_title": _title(event, language),
                     "organiser": event.get("organiser", ""), "subject": subject, "body": text}))
    bus.request_emails(mails, event_id=event_id)
    return {"audience": audience, "recipients": len(mails), "queued": len(mails)}


def _title(event: dict, lang: str) -> str:
    return i18n.event_title(event, lang)


def send_due_reminders() -> dict:
    from samling.notifications.reminding import send_due

    return send_due(clock.now())
