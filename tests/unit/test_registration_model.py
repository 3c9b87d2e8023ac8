"""The event configuration model: the shape of the HTTP contract, and every rule it enforces."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from pydantic import ValidationError

from samling.registration.model import (
    LEADER_ROLES,
    STATUSES,
    ApplicationInput,
    Event,
    describe_config_errors,
)

# The example configuration of the HTTP contract, copied here so the test needs nothing outside
# the project.
EXAMPLE = {
    "id": "klimakronsj-2021",
    "title": {"nb": "Klimakrønsj 2021", "en": "Climate workshop 2021"},
    "organiser": "Miljødirektoratet",
    "languages": ["nb", "en"],
    "venue": None,
    "sessions": [
        {
            "id": "s1",
            "title": {"nb": "Økt 1"},
            "start": "2021-09-22T09:00:00+02:00",
            "end": "2021-09-22T13:00:00+02:00",
            "mode": "digital",
            "audience": "all",
            "theme": None,
            "join_url": "https://example.invalid/mote",
        }
    ],
    "themes": [],
    "registration": {
        "opens": "2021-05-01T00:00:00+02:00",
        "deadline": "2021-06-21T23:59:59+02:00",
        "mode": "application",
        "capacity": 50,
        "offer_response_days": 7,
        "eligibility": {
            "organisation_types": ["kommune", "fylkeskommune", "folkevalgt"],
            "counties": None,
            "municipalities": None,
        },
        "max_per_municipality": None,
    },
    "selection": {
        "quotas": [
            {"field": "sector", "min_distinct": 6},
            {"field": "experience", "value": "lite", "min_share": 0.3},
            {"field": "county", "min_distinct": 8},
            {"field": "municipality_size", "value": "small", "min_share": 0.25},
            {"field": "municipality", "max_count": 2},
        ]
    },
    "accommodation": None,
    "groups": {"min_size": 3, "max_size": 6},
    "certificate": {"min_attendance": 0.75, "hours": 16, "signer": "Seksjonsleder"},
    "reminders": {
        "deadline_days_before": [7, 1],
        "session_hours_before": [24],
        "offer_days_before_expiry": [2],
    },
}

CONTRIBUTIONS = {
    "opens": "2022-01-10T00:00:00+01:00",
    "deadline": "2022-04-20T23:59:59+02:00",
    "kinds": ["praksis", "ide"],
    "formats": ["innlegg", "stand", "verksted"],
    "max_per_application": 3,
}
AWARD = {
    "title": {"nb": "GrønnPraksisPrisen 2022"},
    "nominations_open": "2022-02-01T00:00:00+01:00",
    "nominations_deadline": "2022-04-20T23:59:59+02:00",
    "criteria": [
        {"id": "overforbar", "title": {"nb": "Overførbarhet"}, "weight": 2},
        {"id": "effekt", "title": {"nb": "Klimaeffekt"}, "weight": 1},
    ],
    "jury": [{"name": "Åse Øvrebø-Ærlandsen", "email": "ase@example.no"}],
}
THEMES = [
    {"id": "matsvinn", "title": {"nb": "Matsvinn"}, "leader": {"name": "Per Åsli", "email": "per@example.no"}},
    {"id": "areal", "title": {"nb": "Areal"}, "leader": None},
]


def example(**changes) -> dict:
    data = copy.deepcopy(EXAMPLE)
    data.update(copy.deepcopy(changes))
    return data


def errors_of(data: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Event.model_validate(data)
    return describe_config_errors(caught.value)


def test_the_contract_example_round_trips_in_the_same_shape():
    dumped = Event.model_validate(example()).model_dump(mode="json")
    for key, value in EXAMPLE.items():
        if key == "sessions":
            continue
        assert dumped[key] == value, key
    session = dumped["sessions"][0]
    for key, value in EXAMPLE["sessions"][0].items():
        assert session[key] == value
    assert session["slots"] == 0
    # a session that takes any format says nothing about formats, so the shape stays as it was
    assert "formats" not in session
    assert dumped["contributions"] is None and dumped["award"] is None


def test_offsets_are_kept_as_given_and_dates_stay_dates():
    data = example(
        contributions=CONTRIBUTIONS,
        award=AWARD,
        accommodation={
            "nights": ["2021-11-11"],
            "extra_night": "2021-11-10",
            "quota_per_municipality": 4,
            "extra_night_min_km": 150,
        },
    )
    dumped = Event.model_validate(data).model_dump(mode="json")
    assert dumped["contributions"]["opens"] == "2022-01-10T00:00:00+01:00"
    assert dumped["contributions"]["deadline"] == "2022-04-20T23:59:59+02:00"
    assert dumped["award"]["criteria"][0]["weight"] == 2
    assert dumped["accommodation"] == {
        "nights": ["2021-11-11"],
        "extra_night": "2021-11-10",
        "quota_per_municipality": 4,
        "extra_night_min_km": 150,
        "leaders_priority": False,
    }
    assert Event.model_validate(dumped).model_dump(mode="json") == dumped


def test_naive_datetimes_are_rejected_with_the_field_named():
    data = example()
    data["registration"]["deadline"] = "2021-06-21T23:59:59"
    assert errors_of(data) == {"registration.deadline": "must have a timezone offset"}
    data = example()
    data["sessions"][0]["start"] = "2021-09-22T09:00:00"
    assert errors_of(data)["sessions.0.start"] == "must have a timezone offset"


def test_session_rules():
    data = example()
    data["sessions"][0]["end"] = data["sessions"][0]["start"]
    assert "end must be after start" in errors_of(data)["sessions.0"]

    data = example()
    data["sessions"].append(copy.deepcopy(data["sessions"][0]))
    assert "used twice" in errors_of(data)[""]

    data = example()
    data["sessions"][0]["theme"] = "matsvinn"
    assert "not one of the themes" in errors_of(data)[""]
    data["themes"] = THEMES
    assert Event.model_validate(data).sessions[0].theme == "matsvinn"

    data = example()
    data["sessions"][0]["slots"] = -1
    assert "sessions.0.slots" in errors_of(data)
    data["sessions"][0]["slots"] = 4
    assert Event.model_validate(data).sessions[0].slots == 4

    for bad in (("mode", "hybrid"), ("audience", "everyone")):
        data = example()
        data["sessions"][0][bad[0]] = bad[1]
        assert f"sessions.0.{bad[0]}" in errors_of(data)


def test_registration_rules():
    data = example()
    data["registration"]["deadline"] = data["registration"]["opens"]
    assert errors_of(data) == {"registration": "deadline must be after opens"}
    data = example()
    data["registration"]["capacity"] = 0
    assert "registration.capacity" in errors_of(data)
    data = example()
    data["registration"]["mode"] = "lottery"
    assert "registration.mode" in errors_of(data)
    data = example()
    del data["registration"]["offer_response_days"]
    assert Event.model_validate(data).registration.offer_response_days == 7
    data = example()
    data["registration"]["eligibility"]["organisation_types"] = ["kommune", "bedrift"]
    assert "registration.eligibility.organisation_types.1" in errors_of(data)


def test_registry_numbers_are_checked():
    data = example(venue={"name": "Hotell", "address": "Gata 1", "municipality": "1507"})
    assert "unknown municipality" in errors_of(data)["venue.municipality"]
    data["venue"]["municipality"] = "1508"
    assert Event.model_validate(data).venue.municipality == "1508"

    data = example()
    data["registration"]["eligibility"]["counties"] = ["30"]
    assert "unknown county" in errors_of(data)["registration.eligibility.counties"]
    data["registration"]["eligibility"]["counties"] = ["15"]
    data["registration"]["eligibility"]["municipalities"] = ["0301", "9999"]
    assert "9999" in errors_of(data)["registration.eligibility.municipalities"]


def test_languages_and_title():
    assert "languages" in errors_of(example(languages=[]))
    assert "languages.0" in errors_of(example(languages=["se"]))
    assert "title must have a text" in errors_of(example(title={"nn": "Klimakrønsj"}))[""]
    assert "title" in errors_of(example(title={}))
    assert "languages must not repeat" in errors_of(example(languages=["nb", "nb"]))[""]


@pytest.mark.parametrize(
    "quota, ok",
    [
        ({"field": "sector", "min_distinct": 6}, True),
        ({"field": "experience", "value": "lite", "min_share": 0.3, "max_share": 0.6}, True),
        ({"field": "municipality", "max_count": 2}, True),
        ({"field": "organisation_type", "value": "kommune", "min_count": 10}, True),
        ({"field": "county", "value": "15", "max_count": 5}, True),
        ({"field": "sector"}, False),
        ({"field": "experience", "value": "lite", "min_share": 1.2}, False),
        ({"field": "experience", "min_share": 0.2}, False),
        ({"field": "sector", "value": "plan", "min_distinct": 2}, False),
        ({"field": "gender", "min_distinct": 2}, False),
        ({"field": "sector", "value": "fiske", "min_count": 1}, False),
        ({"field": "experience", "value": "lite", "min_share": 0.5, "max_share": 0.2}, False),
        ({"field": "municipality", "min_count": 3, "max_count": 1}, False),
        ({"field": "county", "value": "30", "max_count": 1}, False),
        ({"field": "municipality_size", "value": "tiny", "min_share": 0.1}, False),
        ({"field": "sector", "min_distinct": 6, "weight": 2}, False),
    ],
)
def test_quotas(quota, ok):
    data = example(selection={"quotas": [quota]})
    if ok:
        assert Event.model_validate(data).selection.quotas[0].field == quota["field"]
    else:
        assert any(path.startswith("selection.quotas.0") for path in errors_of(data))


def test_theme_quota_must_name_a_theme_of_the_event():
    data = example(selection={"quotas": [{"field": "theme", "value": "matsvinn", "min_count": 5}]})
    assert "not one of the themes" in errors_of(data)[""]
    data["themes"] = THEMES
    assert Event.model_validate(data).selection.quotas[0].value == "matsvinn"


def test_optional_blocks():
    accommodation = {"nights": ["2021-11-11"], "extra_night": "2021-11-11", "quota_per_municipality": 4,
                     "extra_night_min_km": 150}
    assert "extra_night must not be one of the nights" in errors_of(example(accommodation=accommodation))["accommodation"]
    assert "groups" in errors_of(example(groups={"min_size": 6, "max_size": 3}))
    for attendance, ok in ((0, False), (0.01, True), (1, True), (1.1, False)):
        data = example(certificate={"min_attendance": attendance, "hours": 16, "signer": "Leder"})
        if ok:
            assert Event.model_validate(data).certificate.min_attendance == attendance
        else:
            assert "certificate.min_attendance" in errors_of(data)
    data = example()
    del data["reminders"]
    reminders = Event.model_validate(data).model_dump(mode="json")["reminders"]
    assert reminders == {"deadline_days_before": [], "session_hours_before": [], "offer_days_before_expiry": []}
    assert "reminders.deadline_days_before.0" in errors_of(example(reminders={"deadline_days_before": [-1]}))


def test_contributions_and_award_rules():
    bad = dict(CONTRIBUTIONS, deadline="2022-01-01T00:00:00+01:00")
    assert errors_of(example(contributions=bad)) == {"contributions": "deadline must be after opens"}
    assert "contributions.kinds" in errors_of(example(contributions=dict(CONTRIBUTIONS, kinds=[])))
    award = copy.deepcopy(AWARD)
    award["criteria"][0]["weight"] = 0
    assert "award.criteria.0.weight" in errors_of(example(award=award))
    award = copy.deepcopy(AWARD)
    award["criteria"][1]["id"] = "overforbar"
    assert "criteria ids must be unique" in errors_of(example(award=award))["award"]
    award = dict(AWARD, nominations_deadline="2022-01-01T00:00:00+01:00")
    assert "nominations_deadline" in errors_of(example(award=award))["award"]
    award = copy.deepcopy(AWARD)
    award["jury"][0]["email"] = "not an address"
    assert errors_of(example(award=award)) == {"award.jury.0.email": "must be an e-mail address"}


def test_session_formats_must_be_formats_of_the_contributions():
    data = example(contributions=CONTRIBUTIONS)
    data["sessions"][0]["formats"] = ["stand", "foredrag"]
    assert "'foredrag'" in errors_of(data)[""] and "session s1" in errors_of(data)[""]
    data["sessions"][0]["formats"] = ["stand", "stand"]
    assert "must not repeat" in errors_of(data)["sessions.0"]
    data["sessions"][0]["formats"] = []
    assert "sessions.0.formats" in errors_of(data)
    data["sessions"][0]["formats"] = ["stand", "verksted"]
    event = Event.model_validate(data)
    assert event.sessions[0].formats == ["stand", "verksted"]
    assert event.model_dump(mode="json")["sessions"][0]["formats"] == ["stand", "verksted"]
    data["sessions"][0]["formats"] = None
    assert "formats" not in Event.model_validate(data).model_dump(mode="json")["sessions"][0]


def test_unknown_fields_are_refused_so_typos_do_not_vanish():
    data = example()
    data["registration"]["capactiy"] = 50
    assert errors_of(data) == {"registration.capactiy": "is not a known field"}


def test_public_view_hides_addresses_jury_and_links_without_touching_the_event():
    event = Event.model_validate(example(themes=THEMES, award=AWARD))
    public = event.public_view()
    assert public["themes"][0]["leader"] == {"name": "Per Åsli"}
    assert public["themes"][1]["leader"] is None
    assert "jury" not in public["award"]
    assert "join_url" not in public["sessions"][0]
    assert "@" not in repr(public)
    assert event.award.jury[0].email == "ase@example.no"
    assert event.sessions[0].join_url == "https://example.invalid/mote"


def test_lookups():
    event = Event.model_validate(example(themes=THEMES))
    assert event.session("s1").title == {"nb": "Økt 1"}
    assert event.session("s9") is None
    assert event.theme("areal").leader is None
    assert event.first_language == "nb"


def test_constants():
    assert LEADER_ROLES == {"ordforer", "kommunedirektor"}
    assert STATUSES == (
        "submitted", "offered", "confirmed", "waitlisted", "declined", "not_selected", "withdrawn", "expired"
    )


def test_application_input_requires_consent_true():
    base = {"name": "Åse", "email": "ase@example.no", "organisation_type": "statlig", "language": "nb",
            "consent": True, "organisation": "Etaten"}
    assert ApplicationInput.model_validate(base).is_leader is False
    with pytest.raises(ValidationError):
        ApplicationInput.model_validate(dict(base, consent=False))
    assert ApplicationInput.model_validate(dict(base, role="ordforer")).is_leader


def test_event_instants_are_aware_datetimes():
    event = Event.model_validate(example())
    deadline = event.registration.deadline
    assert deadline.utcoffset() == dt.timedelta(hours=2)
    assert deadline == dt.datetime(2021, 6, 21, 21, 59, 59, tzinfo=dt.UTC)
