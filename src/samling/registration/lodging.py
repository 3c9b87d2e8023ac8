"""Hotel nights for an event's confirmed participants, per the event's accommodation policy."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from samling import registry
from samling.contracts import EmailRequested
from samling.platform import bus, clock
from samling.registration import rules
from samling.registration.accommodation import Lodger, Override, Policy, allocate as allocate_nights
from samling.registration.accommodation import rooming_list_rows, to_csv
from samling.registration.applications import error
from samling.registration.model import LEADER_ROLES, Event
from samling.registration.service_texts import text


def _policy(event: Event, lang: str) -> Policy:
    if event.accommodation is None or event.venue is None:
        raise error("not_found", lang, text("accommodation.none", lang))
    return Policy.from_dict(event.accommodation.model_dump(mode="json"))


def _lodgers(registration: Any, event_id: str) -> list[Lodger]:
    lodgers = []
    for app in registration.store.applications(event_id):
        if app["status"] != "confirmed" or not app.get("municipality"):
            continue
        wants = app.get("accommodation") or {}
        lodgers.append(Lodger(
            id=app["id"], name=app["name"], municipality=app["municipality"],
            confirmed_at=datetime.fromisoformat(app.get("confirmed_at") or app["submitted_at"]),
            needs_room=bool(wants.get("needed")), wants_extra_night=bool(wants.get("extra_night")),
            is_leader=app.get("role") in LEADER_ROLES, dietary=app.get("dietary")))
    return lodgers


def _overrides(registration: Any, event_id: str) -> dict[str, Override]:
    return {o["participant_id"]: Override(o["participant_id"], o["extra_night"], o["reason"])
            for o in registration.store.items(event_id, "ACCOVERRIDE")}


def allocate(registration: Any, event_id: str, lang: str) -> dict:
    event = registration.event(event_id, lang)
    policy = _policy(event, lang)
    lodgers = _lodgers(registration, event_id)
    result = allocate_nights(lodgers, policy, event.venue.municipality, registry.distance_km,
                             _overrides(registration, event_id)).to_dict()
    result["allocated_at"] = clock.iso(clock.now())
    registration.store.put_result(event_id, "accommodation", result)
    _tell_participants(registration, event, result, {l.id: l for l in lodgers})
    return result


def _tell_participants(registration: Any, event: Event, result: dict, lodgers: dict) -> None:
    mails = []
    for row in result["participants"]:
        app = registration.store.application(row["id"])
        if app is None:
            continue
        lang = app.get("language") or event.first_language
        found = registry.municipality(row["municipality"])
        nights = row["nights"]
        # the key names what was decided, so a re-run with the same outcome mails nobody again
        key = f"accommodation:{app['id']}:{int(row['covered'])}:{','.join(nights)}"
        mails.append(EmailRequested(
            key=key, to=app["email"], template="accommodation", language=lang, participant_id=app["id"],
            context={"name": app["name"], "event_title": rules._local(event.title, lang),
                     "organiser": event.organiser, "covered": row["covered"], "nights": nights,
                     "extra_night": row["extra_night"], "municipality_name": found.name if found else None}))
    if mails:
        bus.request_emails(mails, event_id=event.id)


def last(registration: Any, event_id: str, lang: str) -> dict:
    event = registration.event(event_id, lang)
    _policy(event, lang)
    found = registration.store.result(event_id, "accommodation")
    if found is None:
        raise error("not_found", lang)
    return found


def override(registration: Any, event_id: str, app_id: str, payload: Any, lang: str) -> dict:
    event = registration.event(event_id, lang)
    _policy(event, lang)
    app = registration.store.application(app_id)
    if app is None or app["event_id"] != event_id:
        raise error("not_found", lang)
    fields = {}
    if not isinstance(payload, dict):
        raise error("bad_request", lang)
    if not isinstance(payload.get("extra_night"), bool):
        fields["extra_night"] = {"nb": "Svar true eller false.", "nn": "Svar true eller false.",
                                 "en": "Answer true or false."}[lang]
    reason = payload.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 1000:
        fields["reason"] = {"nb": "Skriv en kort begrunnelse.", "nn": "Skriv ei kort grunngjeving.",
                            "en": "Give a short reason."}[lang]
    if fields:
        raise error("validation_error", lang, fields=fields)
    doc = {"participant_id": app_id, "extra_night": payload["extra_night"], "reason": reason.strip(),
           "at": clock.iso(clock.now())}
    registration.store.put_item(event_id, "ACCOVERRIDE", app_id, doc)
    registration.store.put_item(event_id, "AUDIT", f"{doc['at']}#{app_id}", {"kind": "accommodation_override", **doc})
    return doc


def rooming_csv(registration: Any, event_id: str, lang: str) -> bytes:
    event = registration.event(event_id, lang)
    policy = _policy(event, lang)
    lodgers = _lodgers(registration, event_id)
    allocation = allocate_nights(lodgers, policy, event.venue.municipality, registry.distance_km,
                                 _overrides(registration, event_id))
    names = {l.municipality: registry.municipality(l.municipality).name for l in lodgers}
    return to_csv(rooming_list_rows(allocation, lodgers, lang, municipality_names=names))
