"""Hotel nights for Klimasamling Møre og Romsdal 2021 over HTTP: thirty synthetic participants,
four covered people per municipality (earliest first), the extra night before for long journeys,
an organiser override, a withdrawal that moves the next person up, and the hotel's rooming list."""
from __future__ import annotations

import codecs
import csv
import io

import pytest

# (municipality, people, how many of them ask for the extra night); distances to Ålesund:
# Kristiansund 107 km, Aure 149 km, Molde 59 km, Haram 21 km, Ålesund itself 0.
PLAN = [("1508", 6, 6), ("1505", 6, 6), ("1576", 5, 2), ("1506", 5, 5), ("1580", 4, 0), ("1577", 4, 1)]
OPEN = "2021-06-01T10:00:00+02:00"


def register(api, event_id: str, number: int, municipality: str, extra: bool, needed: bool = True) -> dict:
    body = {"name": f"Deltakar {number:02d} Ødegård", "email": f"deltakar{number:02d}@kommune.example",
            "organisation_type": "kommune", "municipality": municipality, "role": "radgiver",
            "sector": "plan", "experience": "noe", "language": "nn", "consent": True,
            "dietary": "Vegetar" if number % 7 == 0 else None,
            "accommodation": {"needed": needed, "extra_night": extra}}
    r = api.post(f"/registration/events/{event_id}/applications", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "confirmed"
    return {**r.json(), **body}


@pytest.fixture(scope="module")
def gathering(platform):
    from tests.conftest import Api

    api = Api(platform.url, platform.organiser_token)
    import yaml
    from pathlib import Path

    from samling.registration.model import Event

    root = Path(__file__).resolve().parents[2]
    event = Event.model_validate(yaml.safe_load(
        (root / "events" / "klimasamling-more-og-romsdal-2021.yaml").read_text(encoding="utf-8"))).model_dump(mode="json")
    event["id"] = "klimasamling-accommodation-test"
    assert api.put(f"/registration/events/{event['id']}", organiser=True, json=event).status_code in (200, 201)
    api.clock(OPEN)
    people, n = [], 0
    for municipality, count, extras in PLAN:
        for i in range(count):
            n += 1
            people.append(register(api, event["id"], n, municipality, extra=i < extras))
    people.append(register(api, event["id"], 99, "1505", extra=True, needed=False))  # drives home at night
    api.drain()
    yield api, event, people
    api.clock(None)


def allocate(api, event_id):
    r = api.post(f"/registration/events/{event_id}/accommodation", organiser=True)
    assert r.status_code == 200, r.text
    return r.json()


def test_four_per_municipality_earliest_first_and_extra_night_only_for_long_journeys(gathering):
    api, event, people = gathering
    result = allocate(api, event["id"])
    rows = {p["id"]: p for p in result["participants"]}
    by_municipality = {}
    for person in people:
        if person["accommodation"]["needed"]:
            by_municipality.setdefault(person["municipality"], []).append(person)
    assert len(rows) == 30  # the one who needs no room is not in the allocation
    for municipality, group in by_municipality.items():
        covered = [p["id"] for p in group if rows[p["id"]]["covered"]]
        assert covered == [p["id"] for p in group[:4]]  # the earliest four
        expected = {"covered": min(4, len(group)), "not_covered": max(0, len(group) - 4)}
        assert result["municipalities"][municipality] == expected
    for person in people:
        if not person["accommodation"]["needed"]:
            continue
        row = rows[person["id"]]
        far = person["municipality"] in ("1505", "1576")
        assert row["extra_night"] == (row["covered"] and far and person["accommodation"]["extra_night"])
        if not row["covered"]:
            assert row["nights"] == []
        elif row["extra_night"]:
            assert row["nights"] == ["2021-11-10", "2021-11-11"]
        else:
            assert row["nights"] == ["2021-11-11"]
    alesund = [rows[p["id"]] for p in by_municipality["1508"]]
    assert all(r["distance_km"] == 0 for r in alesund) and not any(r["extra_night"] for r in alesund)
    assert rows[by_municipality["1505"][0]["id"]]["distance_km"] == pytest.approx(107, abs=2)
    # running it again with nothing changed gives the same result
    again = allocate(api, event["id"])
    assert again["participants"] == result["participants"]


def test_override_wins_and_is_reported(gathering):
    api, event, people = gathering
    molde = next(p for p in people if p["municipality"] == "1506")
    r = api.put(f"/registration/events/{event['id']}/accommodation/overrides/{molde['id']}", organiser=True,
                json={"extra_night": True, "reason": "Kjem med ferje frå øyane"})
    assert r.status_code == 200, r.text
    bad = api.put(f"/registration/events/{event['id']}/accommodation/overrides/{molde['id']}", organiser=True,
                  json={"extra_night": "ja"})
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"extra_night", "reason"}
    row = next(p for p in allocate(api, event["id"])["participants"] if p["id"] == molde["id"])
    assert row["extra_night"] is True
    assert row["override"] == {"extra_night": True, "reason": "Kjem med ferje frå øyane"}
    assert row["nights"] == ["2021-11-10", "2021-11-11"]


def test_withdrawal_frees_the_place_for_the_next_from_the_same_municipality(gathering):
    api, event, people = gathering
    alesund = [p for p in people if p["municipality"] == "1508"]
    first, fifth = alesund[0], alesund[4]
    assert api.post(f"/registration/applications/{first['id']}/withdraw", params={"token": first["token"]}).status_code == 200
    api.drain()
    rows = {p["id"]: p for p in allocate(api, event["id"])["participants"]}
    assert first["id"] not in rows
    assert rows[fifth["id"]]["covered"] is True
    assert rows[alesund[5]["id"]]["covered"] is False


def test_rooming_list_csv_row_by_row(gathering):
    api, event, people = gathering
    allocation = {p["id"]: p for p in allocate(api, event["id"])["participants"]}
    r = api.get(f"/registration/events/{event['id']}/accommodation", organiser=True, params={"format": "csv", "lang": "nn"})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    assert r.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(header) == 7
    by_name = {p["name"]: p for p in people}
    assert len(body) == len(allocation)
    for name, municipality, check_in, check_out, nights, dietary, covered in body:
        person = by_name[name]
        row = allocation[person["id"]]
        assert municipality.startswith(person["municipality"])
        assert "Ødegård" in name
        assert covered == ("ja" if row["covered"] else "nei")
        assert nights == str(len(row["nights"]))
        if row["covered"]:
            assert check_in == row["nights"][0] and check_out == "2021-11-12"
        else:
            assert check_in == check_out == ""
        assert dietary == (person["dietary"] or "")
    assert any(m.endswith("Ålesund") for _, m, *_ in body)


def test_participants_are_told_which_nights_are_covered(gathering):
    api, event, people = gathering
    allocate(api, event["id"])
    api.drain()
    alesund = [p for p in people if p["municipality"] == "1508"]
    last = alesund[-1]  # not covered
    mails = [m for m in api.outbox(last["email"]) if "overnatting" in (m["subject"] + m["text"]).lower()]
    assert mails, [m["subject"] for m in api.outbox(last["email"])]


def test_accommodation_needs_an_organiser_and_an_event_with_a_policy(gathering, new_event):
    api, event, _ = gathering
    assert api.post(f"/registration/events/{event['id']}/accommodation").status_code == 401
    other = new_event("klimakronsj-2021")
    r = api.post(f"/registration/events/{other['id']}/accommodation", organiser=True)
    assert r.status_code == 404
