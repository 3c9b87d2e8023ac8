"""Selection over HTTP: the organiser selects after the deadline, offers go out, places that come
free go to the best waiting applicant, expired offers are passed on by the schedule, and a
100-applicant selection reaches the solver's optimum with every feasible quota met."""
from __future__ import annotations

import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from samling import registry
from samling.registration.selection import Candidate, Quota, select

OPEN = "2021-06-01T12:00:00+02:00"
AFTER = "2021-06-22T09:00:00+02:00"
# The quotas of the contract's example event.
EXAMPLE_QUOTAS = [
    {"field": "sector", "min_distinct": 6},
    {"field": "experience", "value": "lite", "min_share": 0.3},
    {"field": "county", "min_distinct": 8},
    {"field": "municipality_size", "value": "small", "min_share": 0.25},
    {"field": "municipality", "max_count": 2},
]
# An application nobody has reviewed counts as the middle of the 1–5 scale.
UNREVIEWED = 3


def applicant(**extra) -> dict:
    body = {"name": "Solveig Ærø", "email": f"sel.{uuid.uuid4().hex[:10]}@kommune.example",
            "organisation_type": "kommune", "municipality": "1508", "role": "radgiver",
            "sector": "klima_miljo", "experience": "noe", "motivation": "Eg vil lære.",
            "language": "nb", "consent": True}
    body.update(extra)
    return body


def submit(api, event_id: str, body: dict) -> dict:
    r = api.post(f"/registration/events/{event_id}/applications", json=body)
    assert r.status_code == 201, r.text
    return {**r.json(), "email": body["email"]}


def review(api, app_id: str, score: int) -> None:
    r = api.put(f"/registration/applications/{app_id}/review", organiser=True, json={"score": score})
    assert r.status_code == 200, r.text


def status(api, app: dict) -> str:
    return api.get(f"/registration/applications/{app['id']}", params={"token": app["token"]}).json()["status"]


def templates(api, event_id: str) -> Counter:
    mails = api.get(f"/notifications/events/{event_id}/outbox", organiser=True).json()
    return Counter((m["recipient"], m["template"]) for m in mails)


@pytest.fixture
def five(api, new_event):
    """Capacity 2 and at least one inexperienced person: A and C score 5 (experienced), B 4 and
    D 2 (inexperienced), E 1."""
    event = new_event("klimakronsj-2021", registration__capacity=2,
                      selection__quotas=[{"field": "experience", "value": "lite", "min_count": 1}])
    api.clock(OPEN)
    plan = {"A": ("mye", 5), "B": ("lite", 4), "C": ("mye", 5), "D": ("lite", 2), "E": ("noe", 1)}
    apps = {}
    for name, (experience, score) in plan.items():
        apps[name] = submit(api, event["id"], applicant(experience=experience, name=f"Deltakar {name}"))
        review(api, apps[name]["id"], score)
    return event, apps


def test_selection_waits_for_the_deadline(api, five):
    event, _ = five
    r = api.post(f"/registration/events/{event['id']}/selection", organiser=True)
    assert r.status_code == 409 and r.json()["error"]["code"] == "state_conflict"
    r = api.get(f"/registration/events/{event['id']}/selection", organiser=True)
    assert r.status_code == 404


def test_dry_run_changes_nothing_then_selection_offers_and_answers(api, five):
    event, apps = five
    path = f"/registration/events/{event['id']}/selection"
    api.drain()
    before = templates(api, event["id"])
    api.clock(AFTER)
    dry = api.post(path, organiser=True, params={"dry_run": "true"})
    assert dry.status_code == 200, dry.text
    ids = {name: a["id"] for name, a in apps.items()}
    assert dry.json()["selected"] == [ids["A"], ids["B"]]
    assert api.get(path, organiser=True).status_code == 404
    assert all(status(api, a) == "submitted" for a in apps.values())
    api.drain()
    assert templates(api, event["id"]) == before

    r = api.post(path, organiser=True)
    assert r.status_code == 200, r.text
    result = r.json()
    assert {"selected", "waitlist", "not_selected", "quotas", "objective"} <= set(result)
    assert result["selected"] == [ids["A"], ids["B"]] and result["objective"] == 9
    assert result["waitlist"] == [ids["C"], ids["D"], ids["E"]] and result["not_selected"] == []
    assert result["quotas"] == [{"quota": {"field": "experience", "value": "lite", "min_count": 1},
                                 "achieved": 1, "met": True}]
    last = api.get(path, organiser=True).json()
    assert {k: last[k] for k in ("selected", "waitlist", "objective")} == \
        {k: result[k] for k in ("selected", "waitlist", "objective")}
    assert [status(api, apps[n]) for n in "ABCDE"] == ["offered", "offered", "waitlisted", "waitlisted", "waitlisted"]
    api.drain()
    sent = templates(api, event["id"]) - before
    assert sent == Counter({(apps["A"]["email"], "offer"): 1, (apps["B"]["email"], "offer"): 1,
                            (apps["C"]["email"], "waitlisted"): 1, (apps["D"]["email"], "waitlisted"): 1,
                            (apps["E"]["email"], "waitlisted"): 1})
    offer_mail = [m for m in api.outbox(apps["A"]["email"]) if apps["A"]["token"] in m["text"]]
    assert len(offer_mail) == 2  # the receipt and the offer both carry a link that opens it
    # selecting again sends nothing twice
    assert api.post(path, organiser=True).json()["selected"] == result["selected"]
    api.drain()
    assert templates(api, event["id"]) - before == sent


def test_free_places_go_to_the_best_waiting_who_keeps_quotas_and_expired_offers_pass_on(api, five):
    event, apps = five
    api.clock(AFTER)
    assert api.post(f"/registration/events/{event['id']}/selection", organiser=True).status_code == 200
    offer = lambda n: f"/registration/applications/{apps[n]['id']}/offer"
    token = lambda n: {"token": apps[n]["token"]}

    # B, the only inexperienced one selected, declines: C scores higher but D keeps the quota met
    r = api.post(offer("B"), params=token("B"), json={"accept": False})
    assert r.status_code == 200 and r.json()["status"] == "declined"
    assert [status(api, apps[n]) for n in "CD"] == ["waitlisted", "offered"]
    assert api.post(offer("D"), params=token("D"), json={"accept": True}).json()["status"] == "confirmed"

    # A withdraws: the quota is held by D now, so C (the best waiting) gets the place
    assert api.post(f"/registration/applications/{apps['A']['id']}/withdraw", params=token("A")).status_code == 200
    assert status(api, apps["C"]) == "offered"
    api.drain()
    assert (apps["C"]["email"], "promoted_from_waitlist") in templates(api, event["id"])

    # C never answers: after the response deadline the schedule passes the place to E
    c = api.get(f"/registration/applications/{apps['C']['id']}", params=token("C")).json()
    expires = datetime.fromisoformat(c["offer_expires_at"])
    api.clock((expires + timedelta(seconds=1)).isoformat())
    assert api.post("/_local/tick").status_code == 200
    api.drain()
    assert status(api, apps["C"]) == "expired" and status(api, apps["E"]) == "offered"
    sent = templates(api, event["id"])
    assert (apps["C"]["email"], "offer_expired") in sent
    assert (apps["E"]["email"], "promoted_from_waitlist") in sent
    late = api.post(offer("C"), params=token("C"), json={"accept": True})
    assert late.status_code == 409 and late.json()["error"]["code"] == "offer_expired"


def test_answering_after_the_response_deadline_is_offer_expired(api, five):
    event, apps = five
    api.clock(AFTER)
    api.post(f"/registration/events/{event['id']}/selection", organiser=True)
    a = api.get(f"/registration/applications/{apps['A']['id']}", params={"token": apps["A"]["token"]}).json()
    expires = datetime.fromisoformat(a["offer_expires_at"])
    path = f"/registration/applications/{apps['A']['id']}/offer"
    api.clock(expires.isoformat())  # the last second still counts
    bad = api.post(path, params={"token": apps["A"]["token"]}, json={"accept": "yes"})
    assert bad.status_code == 422 and "accept" in bad.json()["error"]["fields"]
    api.clock((expires + timedelta(seconds=1)).isoformat())
    r = api.post(path, params={"token": apps["A"]["token"]}, json={"accept": True})
    assert r.status_code == 409 and r.json()["error"]["code"] == "offer_expired"
    assert status(api, apps["A"]) == "expired"
    assert status(api, apps["C"]) == "offered"  # the place went on at once


# --- a hundred applicants ------------------------------------------------------------------------

SECTORS = ["klima_miljo", "plan", "helse_omsorg", "oppvekst_utdanning", "teknisk", "landbruk",
           "kultur_idrett", "naering", "innkjop", "eiendom", "ledelse", "annet"]


def hundred(rng: random.Random) -> list[dict]:
    """A realistic pool: big municipalities apply more often, climate staff dominate, few small
    municipalities and inexperienced people, so the quotas have work to do."""
    places = list(registry.municipalities())
    weights = [1 + (m.population or 0) ** 0.5 / 40 for m in places]
    people = []
    for i in range(100):
        m = rng.choices(places, weights)[0]
        people.append(applicant(
            name=f"Søkar {i:03d} Ødegård", municipality=m.number,
            organisation_type=rng.choice(["kommune"] * 8 + ["folkevalgt"]),
            sector=rng.choices(SECTORS, [30, 15, 4, 4, 8, 3, 2, 4, 3, 3, 5, 2])[0],
            experience=rng.choices(["lite", "noe", "mye"], [2, 5, 3])[0],
            role=rng.choice(["radgiver", "leder", "folkevalgt", "ordforer", "Klimakoordinator"])))
    return people


def met(quota: dict, chosen: list[Candidate], pool: list[Candidate]) -> bool:
    values = [c.attributes[quota["field"]] for c in chosen]
    if "min_distinct" in quota:
        return len({v for v in values if v is not None}) >= quota["min_distinct"]
    if "min_share" in quota:
        return values.count(quota["value"]) >= quota["min_share"] * len(chosen) - 1e-9
    if "max_count" in quota:
        return max(Counter(v for v in values if v is not None).values()) <= quota["max_count"]
    raise AssertionError(quota)


@pytest.fixture
def quiet_queues(api, platform):
    """A hundred receipts, offers and answers are mail this test does not check (the small
    selection tests above do): drop them afterwards instead of making every later test's drain
    spend a minute of the embedded AWS on them. The queues are drained first, so only this
    test's messages are dropped."""
    api.drain()
    yield
    from samling.platform import aws

    for pump in platform.pumps:
        aws.client("sqs").purge_queue(QueueUrl=pump.queue_url)


def test_a_hundred_applicants_get_the_optimal_fair_selection(api, new_event, quiet_queues):
    event = new_event("klimakronsj-2021", registration__capacity=50, selection__quotas=EXAMPLE_QUOTAS)
    api.clock(OPEN)
    rng = random.Random(2021)
    with ThreadPoolExecutor(4) as pool:
        apps = list(pool.map(lambda body: submit(api, event["id"], body), hundred(rng)))
    scores = [(a["id"], rng.randint(1, 5)) for a in rng.sample(apps, 40)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda pair: review(api, *pair), scores))

    listed = api.get(f"/registration/events/{event['id']}/applications", organiser=True).json()
    assert len(listed) == 100
    candidates = []
    for a in listed:
        m = registry.municipality(a["municipality"])
        score = (a["review"] or {}).get("score", UNREVIEWED)
        candidates.append(Candidate(
            id=a["id"], score=float(score), submitted_at=datetime.fromisoformat(a["submitted_at"]),
            attributes={"sector": a["sector"], "experience": a["experience"], "county": m.county_number,
                        "municipality": m.number, "municipality_size": m.size_class,
                        "organisation_type": a["organisation_type"], "theme": None}))
    expected = select(candidates, 50, [Quota.from_dict(q) for q in EXAMPLE_QUOTAS])
    assert expected.relaxed == []  # the pool can meet every quota

    api.clock(AFTER)
    r = api.post(f"/registration/events/{event['id']}/selection", organiser=True)
    assert r.status_code == 200, r.text
    result = r.json()
    assert len(result["selected"]) == 50 and len(set(result["selected"])) == 50
    assert sorted(result["selected"] + result["waitlist"] + result["not_selected"]) == sorted(c.id for c in candidates)
    assert result["objective"] == pytest.approx(expected.objective)
    by_id = {c.id: c for c in candidates}
    chosen = [by_id[i] for i in result["selected"]]
    assert sum(c.score for c in chosen) == pytest.approx(expected.objective)
    for q in EXAMPLE_QUOTAS:
        assert met(q, chosen, candidates), q
    assert all(item["met"] for item in result["quotas"])
    assert [item["quota"] for item in result["quotas"]] == EXAMPLE_QUOTAS
