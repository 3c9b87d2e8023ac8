import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from samling.registration.accommodation import (
    Lodger,
    Override,
    Policy,
    allocate,
    rooming_list_rows,
)
from samling.registration.csvexport import to_csv

OSLO = ZoneInfo("Europe/Oslo")
T0 = datetime(2021, 9, 1, 9, 0, tzinfo=OSLO)
POLICY = Policy(nights=(date(2021, 11, 11),), extra_night=date(2021, 11, 10),
                quota_per_municipality=4, extra_night_min_km=150)
VENUE = "0301"  # Oslo
# Rough road distances to Oslo, invented for the tests.
KM = {"0301": 0.0, "1508": 530.4, "3301": 41.26, "5601": 1930.0, "4601": 463.0}


def distance(a, b):
    assert b == VENUE
    return KM[a]


def lodger(i, municipality, *, minutes=None, extra=True, needs=True, leader=False,
           name=None, dietary=None):
    return Lodger(
        id=f"p{i:03d}",
        name=name or f"Deltaker {i}",
        municipality=municipality,
        confirmed_at=T0 + timedelta(minutes=i if minutes is None else minutes),
        needs_room=needs,
        wants_extra_night=extra,
        is_leader=leader,
        dietary=dietary,
    )


def test_four_earliest_of_six_are_covered():
    # Confirmation times deliberately not in id order.
    minutes = [50, 10, 40, 20, 60, 30]
    people = [lodger(i, "1508", minutes=m) for i, m in enumerate(minutes)]
    result = allocate(people, POLICY, VENUE, distance)
    covered = [p.id for p in result.participants if p.covered]
    assert covered == ["p001", "p003", "p005", "p002"]
    assert result.to_dict()["municipalities"] == {"1508": {"covered": 4, "not_covered": 2}}
    out = result.to_dict()["participants"]
    assert [p["id"] for p in out] == ["p001", "p003", "p005", "p002", "p000", "p004"]
    for p in out[4:]:
        assert p["covered"] is False and p["nights"] == [] and p["extra_night"] is False


def test_withdrawal_promotes_the_fifth():
    people = [lodger(i, "1508") for i in range(6)]
    before = allocate(people, POLICY, VENUE, distance)
    assert [p.id for p in before.participants if p.covered] == ["p000", "p001", "p002", "p003"]
    after = allocate([p for p in people if p.id != "p001"], POLICY, VENUE, distance)
    assert [p.id for p in after.participants if p.covered] == ["p000", "p002", "p003", "p004"]
    assert after.to_dict()["municipalities"]["1508"] == {"covered": 4, "not_covered": 1}


def test_venue_municipality_never_gets_the_extra_night():
    far_policy = Policy(nights=POLICY.nights, extra_night=POLICY.extra_night,
                        quota_per_municipality=4, extra_night_min_km=0)
    local = lodger(1, VENUE, extra=True)
    result = allocate([local], far_policy, VENUE, lambda a, b: 999.0)
    p = result.to_dict()["participants"][0]
    assert p["covered"] is True
    assert p["extra_night"] is False
    assert p["nights"] == ["2021-11-11"]
    assert p["distance_km"] == 0.0


def test_far_away_gets_extra_night_only_when_asked():
    asked = lodger(1, "5601", extra=True)
    not_asked = lodger(2, "5601", extra=False)
    near = lodger(3, "3301", extra=True)
    result = {p["id"]: p for p in allocate([asked, not_asked, near], POLICY, VENUE,
                                           distance).to_dict()["participants"]}
    assert result["p001"]["extra_night"] is True
    assert result["p001"]["nights"] == ["2021-11-10", "2021-11-11"]
    assert result["p002"]["extra_night"] is False
    assert result["p002"]["nights"] == ["2021-11-11"]
    assert result["p003"]["extra_night"] is False
    assert result["p003"]["distance_km"] == 41.3


def test_threshold_is_inclusive():
    exact = Policy(nights=POLICY.nights, extra_night=POLICY.extra_night,
                   quota_per_municipality=4, extra_night_min_km=463.0)
    result = allocate([lodger(1, "4601")], exact, VENUE, distance)
    assert result.participants[0].extra_night is True


def test_override_wins_and_is_reported():
    near = lodger(1, "3301", extra=True)
    far = lodger(2, "5601", extra=True)
    overrides = {
        "p001": Override("p001", True, "Reiser med ferje som går tidlig"),
        "p002": Override("p002", False, "Bor hos familie natta før"),
    }
    result = {p["id"]: p for p in allocate([near, far], POLICY, VENUE, distance,
                                           overrides).to_dict()["participants"]}
    assert result["p001"]["extra_night"] is True
    assert result["p001"]["override"] == {"extra_night": True,
                                          "reason": "Reiser med ferje som går tidlig"}
    assert result["p002"]["extra_night"] is False
    assert result["p002"]["nights"] == ["2021-11-11"]
    assert result["p002"]["override"]["reason"] == "Bor hos familie natta før"
    plain = allocate([near, far], POLICY, VENUE, distance).to_dict()["participants"]
    assert all(p["override"] is None for p in plain)


def test_leaders_priority_only_when_the_policy_says_so():
    people = [lodger(i, "1508") for i in range(5)] + [lodger(9, "1508", leader=True)]
    plain = allocate(people, POLICY, VENUE, distance)
    assert "p009" not in [p.id for p in plain.participants if p.covered]
    leaders_first = Policy(nights=POLICY.nights, extra_night=POLICY.extra_night,
                           quota_per_municipality=4, extra_night_min_km=150,
                           leaders_priority=True)
    prio = allocate(people, leaders_first, VENUE, distance)
    assert [p.id for p in prio.participants if p.covered] == ["p000", "p001", "p002", "p009"]


def test_people_without_room_need_are_left_out_and_output_is_stable():
    people = [lodger(1, "5601"), lodger(2, "1508", needs=False), lodger(3, "1508"),
              lodger(4, "0301")]
    a = allocate(people, POLICY, VENUE, distance).to_dict()
    b = allocate(list(reversed(people)), POLICY, VENUE, distance).to_dict()
    assert a == b
    assert [p["id"] for p in a["participants"]] == ["p004", "p003", "p001"]
    assert set(a["municipalities"]) == {"0301", "1508", "5601"}


def test_policy_from_api_block():
    policy = Policy.from_dict({"nights": ["2021-11-11"], "extra_night": "2021-11-10",
                               "quota_per_municipality": 4, "extra_night_min_km": 150})
    assert policy == POLICY


def test_rooming_list_and_csv_round_trip():
    people = [lodger(1, "5601", name="Åse Øvrebø-Ærlandsen", dietary="Glutenfri; laktosefri"),
              lodger(2, "3301", name='Per "Pelle" Dæhli'),
              *[lodger(10 + i, "1508") for i in range(5)]]
    result = allocate(people, POLICY, VENUE, distance)
    rows = rooming_list_rows(result, people, "nb", municipality_names={"5601": "Alta"})
    assert rows[0] == ["Navn", "Kommune", "Innsjekk", "Utsjekk", "Antall netter", "Kostbehov",
                       "Dekket av arrangør"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Åse Øvrebø-Ærlandsen"] == ["Åse Øvrebø-Ærlandsen", "5601 Alta", "2021-11-10",
                                             "2021-11-12", "2", "Glutenfri; laktosefri", "ja"]
    assert by_name['Per "Pelle" Dæhli'][2:5] == ["2021-11-11", "2021-11-12", "1"]
    assert by_name["Deltaker 14"][2:] == ["", "", "0", "", "nei"]
    assert rooming_list_rows(result, people, "en")[0][-1] == "Covered by the organiser"
    assert rooming_list_rows(result, people, "nn")[1][-1] == "ja"
    english = {r[0]: r for r in rooming_list_rows(result, people, "en")}
    assert english["Deltaker 14"][-1] == "no" and english["Deltaker 10"][-1] == "yes"

    data = to_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].split(";")[0] == "Navn"
    parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert parsed == rows


def test_csv_neutralises_formulas():
    data = to_csv([["=HYPERLINK(\"x\")", "+47 900 00 000", "ok"]])
    parsed = next(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert parsed == ["'=HYPERLINK(\"x\")", "'+47 900 00 000", "ok"]
    raw = to_csv([["=1+1"]], neutralise_formulas=False).decode("utf-8-sig")
    assert raw == "=1+1\r\n"


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError):
        allocate([lodger(1, "1508"), lodger(1, "1508")], POLICY, VENUE, distance)
