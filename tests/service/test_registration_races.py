"""Races the conditional writes must win: the local gateway runs one request per app at a time
(Chalice keeps the current request on the app), so these call the use cases from threads
directly, against moto, as concurrent Lambda invocations would."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from samling.platform import clock
from samling.registration.applications import Registration


def body(i: int, email: str | None = None) -> dict:
    return {"name": f"Rask Søkar {i}", "email": email or f"rask{i}@kommune.example", "organisation_type": "kommune",
            "municipality": ["0301", "4601", "5001", "1508", "1804", "5601", "3301", "1103"][i % 8],
            "sector": "plan", "experience": "noe", "language": "nb", "consent": True}


def run_at_once(calls):
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(c) for c in calls]
        return [f.result() for f in futures]


def test_simultaneous_submissions_with_one_email_make_one_application(api, new_event):
    event = new_event("klimakronsj-2021")
    api.clock("2021-06-01T12:00:00+02:00")
    registration = Registration()
    answers = run_at_once([lambda: registration.submit(event["id"], body(0, "dobbel@kommune.example"), "nb")] * 6)
    assert sorted(status for status, _ in answers) == [200] * 5 + [201]
    assert len({b["id"] for _, b in answers}) == 1
    assert [a["email"] for a in registration.store.applications(event["id"])] == ["dobbel@kommune.example"]


def test_the_last_first_come_place_goes_to_one_of_two_at_once(api, new_event):
    event = new_event("klimakronsj-2021", registration__mode="first_come", registration__capacity=3)
    api.clock("2021-06-01T12:00:00+02:00")
    registration = Registration()
    for i in range(2):
        assert registration.submit(event["id"], body(i), "nb")[1]["status"] == "confirmed"
    answers = run_at_once([lambda i=i: registration.submit(event["id"], body(i), "nb") for i in range(2, 8)])
    statuses = sorted(b["status"] for _, b in answers)
    assert statuses == ["confirmed"] + ["waitlisted"] * 5
    held = [a for a in registration.store.applications(event["id"]) if a["status"] == "confirmed"]
    assert len(held) == 3
    assert registration.store.seats_taken(event["id"]) == 3
    assert clock.now()  # the frozen clock was in force throughout
