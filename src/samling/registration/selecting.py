"""Running the selection for an event and filling places from the waiting list."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from samling import registry
from samling.platform import clock
from samling.registration import rules
from samling.registration.applications import error
from samling.registration.model import Event
from samling.registration.selection import Candidate, Quota, next_from_waitlist, select
from samling.registration.service_texts import text

UNREVIEWED_SCORE = 3


def candidate(app: dict) -> Candidate:
    found = registry.municipality(app["municipality"]) if app.get("municipality") else None
    score = (app.get("review") or {}).get("score") or UNREVIEWED_SCORE
    return Candidate(
        id=app["id"], score=float(score), submitted_at=datetime.fromisoformat(app["submitted_at"]),
        attributes={"sector": app.get("sector"), "experience": app.get("experience"),
                    "county": app.get("county") or (found.county_number if found else None),
                    "municipality": app.get("municipality"),
                    "municipality_size": found.size_class if found else None,
                    "organisation_type": app.get("organisation_type"), "theme": app.get("theme")})


def quotas(event: Event) -> list[Quota]:
    return [Quota.from_dict(q.model_dump(exclude_none=True)) for q in event.selection.quotas]


def run(registration: Any, event_id: str, dry_run: bool, lang: str) -> dict:
    event = registration.event(event_id, lang)
    if event.registration.mode != "application":
        raise error("state_conflict", lang, text("selection.not_application", lang))
    if rules.registration_state(event, clock.now()) != "closed":
        raise error("state_conflict", lang, text("selection.before_deadline", lang))
    store = registration.store
    previous = store.result(event_id, "selection")
    if previous is not None and not dry_run:
        return previous  # offers went out already: the result stands, nobody is mailed twice
    apps = [a for a in store.applications(event_id) if a["status"] == "submitted"]
    result = select([candidate(a) for a in apps], event.registration.capacity, quotas(event)).to_dict()
    result["dry_run"] = dry_run
    if dry_run:
        return result
    store.put_result(event_id, "selection", {**result, "made_at": clock.iso(clock.now())})
    by_id = {a["id"]: a for a in apps}
    for app_id in result["selected"]:
        app, version = store.application_versioned(app_id)
        if store.take_seat(event_id, event.registration.capacity):
            registration.offer(event, app, version)
    for position, app_id in enumerate(result["waitlist"], start=1):
        _answer(registration, event, by_id[app_id], "waitlisted", position)
    for app_id in result["not_selected"]:
        _answer(registration, event, by_id[app_id], "not_selected", None)
    return {**result, "made_at": clock.iso(clock.now())}


def _answer(registration: Any, event: Event, app: dict, status: str, position: int | None) -> None:
    from samling.contracts import ParticipantStatusChanged
    from samling.platform import bus
    from samling.registration.applications import participant

    fresh, version = registration.store.application_versioned(app["id"])
    registration._set_status(fresh, status, clock.now())
    if position is not None:
        fresh["waitlist_position"] = position
    registration.store.put_application(fresh, version=version)
    bus.publish(ParticipantStatusChanged(participant=participant(fresh), previous_status="submitted"),
                event_id=event.id)
    context = {"manage_url": registration._manage_url(fresh, None)} if status == "waitlisted" else {}
    registration._mail(event, fresh, status, context, key=f"{status}:{fresh['id']}")


def last(registration: Any, event_id: str, lang: str) -> dict:
    registration.event(event_id, lang)
    found = registration.store.result(event_id, "selection")
    if found is None:
        raise error("not_found", lang)
    return found


def next_waiting(event: Event, apps: list[dict]) -> dict | None:
    """Who is offered a place that came free: the best waiting applicant who keeps quotas met."""
    holding = [candidate(a) for a in apps if a["status"] in ("offered", "confirmed")]
    waiting = sorted((a for a in apps if a["status"] == "waitlisted"),
                     key=lambda a: (a.get("waitlist_position") or 10**9, a["submitted_at"]))
    chosen = next_from_waitlist(holding, [candidate(a) for a in waiting], quotas(event),
                                event.registration.capacity)
    return next((a for a in waiting if a["id"] == chosen), None)
