"""Running the selection for an event and filling places from the waiting list."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from samling import registry
from samling.contracts import ParticipantStatusChanged
from samling.platform import bus, clock
from samling.registration import rules
from samling.registration.applications import error, participant
from samling.registration.model import Event
from samling.registration.selection import Candidate, Quota, evaluate_quota, select
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
    if previous is not None:
        # Offers went out already: the result stands, and nobody is mailed twice.
        return {**previous, "dry_run": dry_run}
    apps = [a for a in store.applications(event_id) if a["status"] == "submitted"]
    result = select([candidate(a) for a in apps], event.registration.capacity, quotas(event),
                    waitlist_size=event.selection.waitlist_size).to_dict()
    result["made_at"] = clock.iso(clock.now())
    if dry_run:
        return {**result, "dry_run": True}
    if not store.claim_result(event_id, "selection", result):
        return {**store.result(event_id, "selection"), "dry_run": False}  # a parallel run won
    by_id = {a["id"]: a for a in apps}
    room = max(0, event.registration.capacity - store.seats_taken(event_id))
    offered, waitlist = result["selected"][:room], result["selected"][room:] + result["waitlist"]
    store.take_seats(event_id, len(offered))
    with registration.mail_in_batches():
        for app_id in offered:
            app, version = store.application_in(event_id, app_id)
            registration.offer(event, app, version)
        for position, app_id in enumerate(waitlist, start=1):
            _answer(registration, event, by_id[app_id], "waitlisted", position)
        for app_id in result["not_selected"]:
            _answer(registration, event, by_id[app_id], "not_selected", None)
    return {**result, "dry_run": False}


def _answer(registration: Any, event: Event, app: dict, status: str, position: int | None) -> None:
    fresh, version = registration.store.application_in(event.id, app["id"])
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
    """Who is offered a place that came free: the waiting applicant whose arrival leaves the most
    quotas met, the earliest on the list among equals.

    The group is judged with the newcomer in it, not as it stands after someone left: when the
    one who declined was the group's only inexperienced member, the quota was met before and
    must be met again, so an inexperienced applicant further down the list goes first."""
    holding = [candidate(a) for a in apps if a["status"] in ("offered", "confirmed")]
    waiting = sorted((a for a in apps if a["status"] == "waitlisted"),
                     key=lambda a: (a.get("waitlist_position") or 10**9, a["submitted_at"]))
    if not waiting or len(holding) >= event.registration.capacity:
        return None
    rules_ = quotas(event)
    pool = holding + [candidate(a) for a in waiting]

    def quotas_met(app: dict) -> int:
        group = holding + [candidate(app)]
        return sum(1 for q in rules_ if evaluate_quota(q, group, pool)[1])

    return max(waiting, key=quotas_met)  # max keeps the first of equals: the list's order
