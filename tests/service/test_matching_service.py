"""Matching's use cases on moto, fed the messages registration would send; what it publishes and
the mails it asks for are captured instead of crossing the queues."""
from __future__ import annotations

import itertools
import json
import uuid

import pytest

from samling.contracts import (EventConfigured, Participant, ParticipantConfirmed, ParticipantWithdrawn,
                               PersonErased, envelope)
from samling.platform.errors import ApiError

MUNIS = ["0301", "1508", "4601", "5001", "1103", "3201", "4204", "5501", "1804", "3403"]
SECTORS = ["klima_miljo", "plan", "teknisk", "landbruk", "helse_omsorg"]
_n = itertools.count(1)


@pytest.fixture
def service(platform):
    from samling.matching import service as module

    return module


@pytest.fixture
def sent(service, monkeypatch):
    """What the service published and the mails it asked for."""
    out = {"published": [], "mails": []}
    monkeypatch.setattr(service.bus, "publish", lambda msg, event_id: out["published"].append(msg))
    monkeypatch.setattr(service.bus, "request_emails", lambda mails, event_id: out["mails"].extend(mails))
    return out


def event_doc(**changes) -> dict:
    doc = {"id": f"matching-svc-{next(_n)}-{uuid.uuid4().hex[:6]}", "title": {"nb": "Klimakrønsj", "en": "Climate workshop"},
           "organiser": "Miljødirektoratet", "languages": ["nb", "en"], "groups": {"min_size": 3, "max_size": 6}}
    doc.update(changes)
    return doc


def person(i: int, **changes) -> Participant:
    data = {"id": f"p{i:03d}-{uuid.uuid4().hex[:6]}", "name": f"Person {i}", "email": f"p{i}.{uuid.uuid4().hex[:6]}@kommune.example",
            "language": "nb", "status": "confirmed", "organisation_type": "kommune",
            "municipality": MUNIS[i % len(MUNIS)], "sector": SECTORS[i % len(SECTORS)],
            "experience": ["lite", "noe", "mye"][i % 3], "interests": ["energi"]}
    data.update(changes)
    return Participant(**data)


def seed(service, count: int, **event_changes) -> tuple[dict, list[Participant]]:
    event = event_doc(**event_changes)
    service.handle(envelope(EventConfigured(event=event), event_id=event["id"]))
    people = [person(i) for i in range(count)]
    for p in people:
        service.handle(envelope(ParticipantConfirmed(participant=p), event_id=event["id"]))
    return event, people


def leaders(count: int) -> list[dict]:
    return [{"name": f"Leder {i}", "email": f"leder{i}.{uuid.uuid4().hex[:6]}@example.no"} for i in range(count)]


def conflict(call) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    assert caught.value.code == "state_conflict" and caught.value.status == 409
    return caught.value


def test_the_projection_fills_county_and_size_from_the_registry_and_drops_the_withdrawn(service):
    event, people = seed(service, 4)
    attrs = {p["id"]: service._person(p) for p in service.projection().confirmed(event["id"])}
    first = attrs[people[0].id]  # 0301 Oslo, no county in the message
    assert (first.county, first.size_class, first.sector) == ("03", "large", "klima_miljo")
    service.handle(envelope(ParticipantWithdrawn(participant_id=people[1].id), event_id=event["id"]))
    assert {p["id"] for p in service.projection().confirmed(event["id"])} == {people[0].id, people[2].id, people[3].id}


def test_sizes_follow_the_event_and_default_to_three_to_six(service, sent):
    event, _ = seed(service, 7, groups={"min_size": 2, "max_size": 3})
    result = service.form(event["id"], {"facilitators": leaders(3)}, "nb")
    assert sorted(len(g["members"]) for g in result["groups"]) == [2, 2, 3]
    event, _ = seed(service, 7, groups=None)
    result = service.form(event["id"], {"facilitators": leaders(2)}, "nb")
    assert sorted(len(g["members"]) for g in result["groups"]) == [3, 4]


def test_facilitators_are_checked_field_by_field_in_the_asked_language(service, sent):
    event, _ = seed(service, 6)
    twice = leaders(1) * 2
    cases = [
        (None, {"facilitators"}),
        ({"facilitators": {"name": "Kari"}}, {"facilitators"}),
        ({"facilitators": ["Kari"]}, {"facilitators.0"}),
        ({"facilitators": twice}, {"facilitators.1.email"}),
        ({"facilitators": [{"name": " ", "email": "a@example.no", "language": "se"}]},
         {"facilitators.0.name", "facilitators.0.language"}),
        ({"facilitators": leaders(2), "replace": "yes"}, {"replace"}),
    ]
    for payload, fields in cases:
        with pytest.raises(ApiError) as caught:
            service.form(event["id"], payload, "nn")
        assert caught.value.code == "validation_error" and set(caught.value.fields) == fields, payload
    assert caught.value.fields["replace"] == "Oppgje true eller false."
    with pytest.raises(ApiError) as caught:
        service.form(event["id"], {"facilitators": twice}, "nn")
    assert "berre leie éi gruppe" in caught.value.fields["facilitators.1.email"]
    assert sent["mails"] == [] and sent["published"] == []


def test_too_few_facilitators_say_how_many_in_the_error_body(platform, service):
    from chalice.test import Client

    event, _ = seed(service, 13)  # three groups of 4–5
    headers = {"Authorization": f"Bearer {platform.organiser_token}", "Content-Type": "application/json"}
    with Client(platform.services["matching"].app) as client:
        r = client.http.post(f"/events/{event['id']}/groups?lang=nn", headers=headers,
                             body=json.dumps({"facilitators": leaders(1)}))
    assert r.status_code == 409
    error = json.loads(r.body)["error"]
    assert error == {"code": "state_conflict", "needed": 3, "given": 1,
                     "message": "Det trengst 3 fasilitatorar, men berre 1 er oppgjevne."}


def test_forming_publishes_and_mails_with_keys_that_change_only_with_the_group(service, sent):
    event, people = seed(service, 12)
    names = {p.id: p.name for p in people}
    chosen = leaders(2)
    first = service.form(event["id"], {"facilitators": chosen}, "en")
    assert [m.groups for m in sent["published"]] == [first["groups"]]
    by_template = {t: [m for m in sent["mails"] if m.template == t] for t in ("group_assigned", "facilitator_group")}
    assert len(by_template["group_assigned"]) == 12 and len(by_template["facilitator_group"]) == 2
    mail = by_template["group_assigned"][0]
    group = next(g for g in first["groups"] if mail.participant_id in g["members"])
    assert [m["name"] for m in mail.context["members"]] == [names[m] for m in group["members"]]
    assert all("email" not in m for m in mail.context["members"])  # members see names, not addresses
    assert mail.context["facilitator_name"] == group["facilitator"]["name"]
    lead = next(m for m in by_template["facilitator_group"] if m.to == group["facilitator"]["email"])
    assert {m["email"] for m in lead.context["members"]} == {p.email for p in people if p.id in group["members"]}

    conflict(lambda: service.form(event["id"], {"facilitators": chosen}, "en"))
    keys = {m.key for m in sent["mails"]}
    sent["mails"].clear()
    again = service.form(event["id"], {"facilitators": chosen, "replace": True}, "en")
    assert again["groups"] == first["groups"] and {m.key for m in sent["mails"]} == keys
    sent["mails"].clear()
    service.form(event["id"], {"facilitators": list(reversed(chosen)), "replace": True}, "en")
    assert not keys & {m.key for m in sent["mails"]}  # new leaders: everyone hears again


def test_feedback_includes_a_latecomer_and_rounds_never_repeat(service, sent):
    event, people = seed(service, 9)
    groups = service.form(event["id"], {"facilitators": leaders(2)}, "nb")["groups"]
    group_of = {m: g["id"] for g in groups for m in g["members"]}
    late = person(99)
    service.handle(envelope(ParticipantConfirmed(participant=late), event_id=event["id"]))
    rnd = service.pair(event["id"], {"kind": "feedback"}, "nb")
    assert rnd["round"] == 1 and sorted(len(p) for p in rnd["pairs"]) == [2] * 5
    assert late.id in {m for p in rnd["pairs"] for m in p}
    assert all(group_of.get(a, a) != group_of.get(b, b) for a, b in rnd["pairs"])
    partner = [m for m in sent["mails"] if m.template == "partner_assigned"]
    assert len(partner) == 10 and {m.key for m in partner} == {
        f"partner_assigned:{event['id']}:1:{pid}" for p in rnd["pairs"] for pid in p}
    assert sent["published"][-1].round == 1 and sent["published"][-1].pairs == rnd["pairs"]

    # Ten people who lose at most four partners keep five each: a perfect matching always exists.
    met = set()
    for number in range(2, 6):
        assert service.pair(event["id"], {"kind": "networking"}, "en")["round"] == number
    listed = service.rounds(event["id"], "nb")["rounds"]
    for r in listed:
        for p in r["pairs"]:
            for pair in itertools.combinations(sorted(p), 2):
                assert pair not in met
                met.add(pair)
    with pytest.raises(ApiError) as caught:
        service.pair(event["id"], {"kind": "speed"}, "en")
    assert caught.value.code == "validation_error" and set(caught.value.fields) == {"kind"}


def test_erasure_leaves_only_counts_in_groups_and_rounds(service, sent):
    event, people = seed(service, 7)
    service.form(event["id"], {"facilitators": leaders(2)}, "nb")
    service.pair(event["id"], {"kind": "networking"}, "nb")
    gone = people[0].id
    erased = envelope(PersonErased(participant_id=gone), event_id=event["id"])
    service.handle(erased)
    service.handle(erased)  # a redelivery changes nothing more
    doc = service.last_groups(event["id"], "nb")
    assert gone not in json.dumps(doc)
    assert sum(g.get("erased", 0) for g in doc["groups"]) == 1
    assert sum(len(g["members"]) for g in doc["groups"]) == 6
    listed = service.rounds(event["id"], "nb")
    assert gone not in json.dumps(listed)
    assert [r.get("erased") for r in service.store().rounds(event["id"])] == [1]
    assert sum(len(p) for p in listed["rounds"][0]["pairs"]) == 6
    assert gone not in {p["id"] for p in service.projection().confirmed(event["id"])}


def test_unknown_event_and_nothing_formed(service, sent):
    for call in (lambda: service.form("no-such", {"facilitators": []}, "nb"),
                 lambda: service.last_groups("no-such", "nb"),
                 lambda: service.pair("no-such", {"kind": "networking"}, "nb"),
                 lambda: service.rounds("no-such", "nb")):
        with pytest.raises(ApiError) as caught:
            call()
        assert caught.value.code == "not_found"
    event, _ = seed(service, 2)
    assert service.rounds(event["id"], "nb") == {"rounds": []}
    exc = conflict(lambda: service.form(event["id"], {"facilitators": leaders(1)}, "nb"))
    assert "2 deltakere" in exc.message
    exc = conflict(lambda: service.pair(event["id"], {"kind": "feedback"}, "nb"))
    assert "gruppene må settes sammen først" in exc.message
