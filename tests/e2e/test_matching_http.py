"""The Matching section of the contract, over the platform's HTTP port: groups mixed across
municipalities and sectors with facilitators, pairing rounds without repeats, the mails that
tell everyone (once), and who leaves the pool."""
from __future__ import annotations

import itertools
import random
import statistics
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests
import yaml

from samling import registry

OPEN = "2021-06-01T12:00:00+02:00"
SECTORS = ["klima_miljo", "plan", "helse_omsorg", "oppvekst_utdanning", "teknisk", "landbruk",
           "kultur_idrett", "naering", "innkjop", "eiendom", "ledelse", "annet"]
EXPERIENCE = ["lite", "noe", "mye"]
INTERESTS = ["mobilitet", "arealplanlegging", "energi", "matsvinn", "innkjop", "klimatilpasning"]
LANGUAGES = ["nb", "nb", "nn", "en"]
GROUP_SUBJECTS = ("Gruppen din på", "Gruppa di på", "Your group at")
FACILITATOR_SUBJECTS = ("Gruppen du skal lede", "Gruppa du skal leie", "The group you will facilitate")
CROWD = 50
_n = itertools.count(1)


def municipalities() -> list[str]:
    """25 real 2024 municipalities spread over the country (every fourteenth by number)."""
    return [m.number for m in registry.municipalities()[::14][:25]]


class Client:
    """Enough HTTP for a module-wide fixture (the shared ``api`` fixture lives per test)."""

    def __init__(self, platform) -> None:
        self.base = platform.url
        self.http = requests.Session()
        self.organiser = {"Authorization": f"Bearer {platform.organiser_token}"}

    def call(self, method: str, path: str, organiser: bool = False, **kwargs) -> requests.Response:
        headers = self.organiser if organiser else {}
        return self.http.request(method, self.base + path, headers=headers, timeout=60, **kwargs)

    def drain(self) -> None:
        assert self.call("POST", "/_local/drain").status_code == 200


def fresh_event(client: Client, **changes) -> dict:
    from samling.registration.model import Event

    root = Path(__file__).resolve().parents[2]
    seed = yaml.safe_load((root / "events" / "klimakronsj-2021.yaml").read_text(encoding="utf-8"))
    event = Event.model_validate(seed).model_dump(mode="json")
    event["id"] = f"klimakronsj-2021-m{next(_n)}-{uuid.uuid4().hex[:6]}"
    event["languages"] = ["nb", "nn", "en"]
    event["registration"]["mode"] = "first_come"
    event["registration"]["capacity"] = 200
    event.update(changes)
    r = client.call("PUT", f"/registration/events/{event['id']}", organiser=True, json=event)
    assert r.status_code == 201, r.text
    return event


def register(client: Client, event_id: str, count: int) -> list[dict]:
    """``count`` synthetic participants; first come, so each is confirmed at once."""
    munis = municipalities()
    people = []
    assert client.call("POST", "/_local/clock", json={"now": OPEN}).status_code == 200
    try:
        for i in range(count):
            person = {"name": f"Deltaker {i:02d} Ås-Ødegård", "email": f"m{i}.{uuid.uuid4().hex[:8]}@kommune.example",
                      "organisation_type": "kommune", "municipality": munis[i % len(munis)],
                      "role": "radgiver", "sector": SECTORS[(i * 7) % len(SECTORS)],
                      "experience": EXPERIENCE[i % 3], "motivation": "Jeg vil lære av andre kommuner.",
                      "language": LANGUAGES[i % len(LANGUAGES)], "consent": True,
                      "interests": [INTERESTS[i % 6], INTERESTS[(i * 5 + 1) % 6]]}
            r = client.call("POST", f"/registration/events/{event_id}/applications", json=person)
            assert r.status_code == 201 and r.json()["status"] == "confirmed", r.text
            people.append({**person, **r.json()})
    finally:
        client.call("DELETE", "/_local/clock")
    client.drain()
    return people


class Crowd:
    def __init__(self, client: Client, event: dict, people: list[dict]) -> None:
        self.client, self.event, self.people = client, event, people
        self.by_id = {p["id"]: p for p in people}
        self.path = f"/matching/events/{event['id']}"


@pytest.fixture(scope="module")
def crowd(platform) -> Crowd:
    client = Client(platform)
    event = fresh_event(client)
    return Crowd(client, event, register(client, event["id"], CROWD))


def facilitators(count: int, tag: str = "f") -> list[dict]:
    return [{"name": f"Fasilitator {tag}{i}", "email": f"{tag}{i}.{uuid.uuid4().hex[:6]}@example.no"}
            for i in range(count)]


# The same people lead the groups throughout, so re-forming mails only those whose group changed.
LEADERS = facilitators(10)


def mean_distinct_sectors(groups: list[list[str]], by_id: dict[str, dict]) -> float:
    return statistics.mean(len({by_id[m]["sector"] for m in g}) for g in groups)


def random_baseline(groups: list[list[str]], by_id: dict[str, dict], tries: int = 200) -> float:
    """Mean distinct sectors of random partitions with the same group sizes."""
    rng = random.Random(7)
    ids = [m for g in groups for m in g]
    sizes = [len(g) for g in groups]
    values = []
    for _ in range(tries):
        rng.shuffle(ids)
        cut = list(itertools.accumulate(sizes))
        parts = [ids[a:b] for a, b in zip([0, *cut[:-1]], cut)]
        values.append(mean_distinct_sectors(parts, by_id))
    return statistics.mean(values)


def count_subjects(mails: list[dict], prefixes: tuple[str, ...], title_part: str = "") -> Counter:
    return Counter(m["to"] for m in mails if m["subject"].startswith(prefixes) and title_part in m["subject"])


def is_round_mail(mail: dict, number: int) -> bool:
    return f"runde {number} –" in mail["subject"] or f"round {number} –" in mail["subject"]


def meetings(rounds: list[dict]) -> list[frozenset[str]]:
    return [frozenset(pair) for r in rounds for meeting in r["pairs"]
            for pair in itertools.combinations(meeting, 2)]


# --- guards ------------------------------------------------------------------------------------


def test_guards_auth_unknown_event_validation_and_too_few_people(api, new_event):
    event = new_event("klimakronsj-2021", registration__mode="first_come", registration__capacity=200)
    path = f"/matching/events/{event['id']}"
    api.drain()  # matching learns of the event
    body = {"facilitators": facilitators(3)}

    assert api.post(f"{path}/groups", json=body).status_code == 401
    assert api.get(f"{path}/pairings").status_code == 401
    r = api.post("/matching/events/no-such-event/groups", organiser=True, json=body)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert api.get("/matching/events/no-such-event/pairings", organiser=True).status_code == 404

    assert api.get(f"{path}/groups", organiser=True).status_code == 404  # none formed yet
    assert api.get(f"{path}/pairings", organiser=True).json() == {"rounds": []}

    r = api.post(f"{path}/groups?lang=en", organiser=True, json={"facilitators": "Kari"})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "validation_error" and "facilitator" in error["fields"]["facilitators"]
    r = api.post(f"{path}/groups?lang=nn", organiser=True,
                 json={"facilitators": [{"name": "Kari", "email": "ikkje-ein-adresse"}, {"email": "a@example.no"}]})
    assert r.status_code == 422
    assert set(r.json()["error"]["fields"]) == {"facilitators.0.email", "facilitators.1.name"}
    assert "gyldig e-postadresse" in r.json()["error"]["fields"]["facilitators.0.email"]

    r = api.post(f"{path}/pairings", organiser=True, json={"kind": "speed-dating"})
    assert r.status_code == 422 and "kind" in r.json()["error"]["fields"]
    r = api.post(f"{path}/pairings?lang=en", organiser=True, json={"kind": "feedback"})
    assert r.status_code == 409 and "groups must be formed first" in r.json()["error"]["message"]

    # two confirmed people cannot fill a group of at least three
    api.clock(OPEN)
    for i in range(2):
        person = {"name": f"Liten {i}", "email": f"liten{i}.{uuid.uuid4().hex[:6]}@kommune.example",
                  "organisation_type": "kommune", "municipality": "1508", "role": "radgiver",
                  "sector": "plan", "experience": "noe", "motivation": "Lære.", "language": "nb",
                  "consent": True}
        assert api.post(f"/registration/events/{event['id']}/applications", json=person).status_code == 201
    api.drain()
    r = api.post(f"{path}/groups?lang=en", organiser=True, json=body)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "state_conflict" and "2 participants" in r.json()["error"]["message"]


# --- groups ------------------------------------------------------------------------------------


def test_groups_mix_municipalities_and_sectors_and_everyone_is_told_once(crowd):
    c = crowd
    r = c.client.call("POST", f"{c.path}/groups?lang=en", organiser=True, json={"facilitators": facilitators(2)})
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "state_conflict" and error["needed"] == 9 and error["given"] == 2
    assert "9 facilitators are needed" in error["message"]

    leaders = LEADERS  # one more than needed: the extra one is left out
    r = c.client.call("POST", f"{c.path}/groups", organiser=True, json={"facilitators": leaders, "replace": True})
    assert r.status_code == 200, r.text
    first = r.json()
    groups = [g["members"] for g in first["groups"]]
    assert all(3 <= len(g) <= 6 for g in groups)
    assert sorted(m for g in groups for m in g) == sorted(c.by_id)
    for g in groups:
        munis = [c.by_id[m]["municipality"] for m in g]
        assert len(set(munis)) == len(munis), f"same municipality twice in {g}"
    assert mean_distinct_sectors(groups, c.by_id) >= random_baseline(groups, c.by_id)
    assert [g["facilitator"]["email"] for g in first["groups"]] == [f["email"] for f in leaders[:9]]
    assert c.client.call("GET", f"{c.path}/groups", organiser=True).json() == first

    r = c.client.call("POST", f"{c.path}/groups", organiser=True, json={"facilitators": leaders})
    assert r.status_code == 409 and r.json()["error"]["code"] == "state_conflict"
    r = c.client.call("POST", f"{c.path}/groups", organiser=True, json={"facilitators": leaders, "replace": True})
    assert r.status_code == 200
    second = r.json()
    assert c.client.call("GET", f"{c.path}/groups", organiser=True).json() == second

    c.client.drain()
    c.client.drain()
    mails = c.client.call("GET", "/_local/outbox").json()
    told = count_subjects(mails, GROUP_SUBJECTS)
    led = count_subjects(mails, FACILITATOR_SUBJECTS)
    # A mail says who is in the group and who leads it: re-forming tells only those whose group changed.
    for pid, person in c.by_id.items():
        versions = {(g["facilitator"]["email"], tuple(sorted(g["members"])))
                    for result in (first, second) for g in result["groups"] if pid in g["members"]}
        assert told[person["email"]] == len(versions), person["email"]
    for leader in leaders:
        versions = {tuple(sorted(g["members"])) for result in (first, second) for g in result["groups"]
                    if g["facilitator"]["email"] == leader["email"]}
        assert led[leader["email"]] == len(versions)
    nn_person = next(p for p in c.people if p["language"] == "nn")
    mail = next(m for m in mails if m["to"] == nn_person["email"] and m["subject"].startswith(GROUP_SUBJECTS))
    assert mail["subject"].startswith("Gruppa di på")
    group = next(g for g in second["groups"] if nn_person["id"] in g["members"])
    assert all(c.by_id[m]["name"] in mail["text"] for m in group["members"])
    assert group["facilitator"]["name"] in mail["text"]


# --- pairing rounds ------------------------------------------------------------------------------


def test_feedback_crosses_groups_and_networking_rounds_never_repeat(crowd):
    c = crowd
    r = c.client.call("GET", f"{c.path}/groups", organiser=True)
    if r.status_code == 404:  # run on its own: form them here
        r = c.client.call("POST", f"{c.path}/groups", organiser=True, json={"facilitators": LEADERS})
    assert r.status_code in (200, 201)
    group_of = {m: g["id"] for g in r.json()["groups"] for m in g["members"]}
    before = len(c.client.call("GET", f"{c.path}/pairings", organiser=True).json()["rounds"])

    r = c.client.call("POST", f"{c.path}/pairings", organiser=True, json={"kind": "feedback"})
    assert r.status_code == 200, r.text
    feedback = r.json()
    assert feedback["kind"] == "feedback" and feedback["round"] == before + 1
    assert all(len(p) == 2 for p in feedback["pairs"])  # 50 people: pairs only
    assert sorted(m for p in feedback["pairs"] for m in p) == sorted(c.by_id)
    assert all(group_of[a] != group_of[b] for a, b in feedback["pairs"])

    made = [feedback]
    for _ in range(3):
        r = c.client.call("POST", f"{c.path}/pairings", organiser=True, json={"kind": "networking"})
        assert r.status_code == 200, r.text
        made.append(r.json())
    assert [m["round"] for m in made] == list(range(before + 1, before + 5))
    listed = c.client.call("GET", f"{c.path}/pairings", organiser=True).json()["rounds"]
    assert listed[-4:] == made
    met = meetings(listed)
    assert len(met) == len(set(met)), "a pair met twice"

    c.client.drain()
    c.client.drain()
    mails = c.client.call("GET", "/_local/outbox").json()
    for rnd in made:
        per_person = Counter(m["to"] for m in mails if is_round_mail(m, rnd["round"]))
        assert all(per_person[p["email"]] == 1 for p in c.people), rnd["round"]
    a, b = made[1]["pairs"][0]
    mail = next(m for m in mails if m["to"] == c.by_id[a]["email"] and is_round_mail(m, made[1]["round"]))
    assert c.by_id[b]["name"] in mail["text"] and c.by_id[b]["email"] in mail["text"]


# --- who leaves --------------------------------------------------------------------------------


def test_a_withdrawn_participant_leaves_the_next_grouping_and_an_odd_count_gives_one_triple(crowd):
    c = crowd
    gone = c.people[0]
    r = c.client.call("POST", f"/registration/applications/{gone['id']}/withdraw", params={"token": gone["token"]})
    assert r.status_code == 200, r.text
    c.client.drain()

    r = c.client.call("POST", f"{c.path}/groups", organiser=True,
                      json={"facilitators": LEADERS, "replace": True})
    assert r.status_code == 200
    members = [m for g in r.json()["groups"] for m in g["members"]]
    assert gone["id"] not in members and len(members) == CROWD - 1

    r = c.client.call("POST", f"{c.path}/pairings", organiser=True, json={"kind": "networking"})
    assert r.status_code == 200, r.text
    pairs = r.json()["pairs"]
    assert sorted(len(p) for p in pairs) == [2] * 23 + [3]
    assert sorted(m for p in pairs for m in p) == sorted(set(c.by_id) - {gone["id"]})
    listed = c.client.call("GET", f"{c.path}/pairings", organiser=True).json()["rounds"]
    met = meetings(listed)
    assert len(met) == len(set(met))
