from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samling.registration import gp_messages
from samling.registration.contributions import (
    ACTIVE_STATUSES,
    STATUSES,
    ContributionFieldErrors,
    can_add,
    counts_towards_limit,
    ensure_applicant_presenter,
    validate_contribution,
    validate_decision,
    window_state,
)

OSLO = ZoneInfo("Europe/Oslo")
KINDS = ["praksis", "ide"]
FORMATS = ["innlegg", "stand", "verksted"]
THEMES = ["mobilitet", "innkjop", "matsvinn"]


def body(**overrides):
    data = {
        "kind": "praksis",
        "format": "stand",
        "title": "Kortreist kvalitet i byggeprosjekter",
        "summary": "Hvordan kommunen stilte klimakrav i tre anbud.",
        "themes": ["innkjop"],
        "municipality": "4204",
        "presenters": [{"name": "Åse Øvrebø-Ærlandsen", "email": "ase@kommune.example"}],
    }
    data.update(overrides)
    return data


def validate(payload, lang="nb", **kw):
    return validate_contribution(payload, kinds=KINDS, formats=FORMATS, theme_ids=THEMES, lang=lang, **kw)


def errors_of(payload, lang="nb", **kw):
    with pytest.raises(ContributionFieldErrors) as caught:
        validate(payload, lang=lang, **kw)
    return caught.value.fields


def test_valid_body_is_cleaned():
    data = validate(body(title="  Kortreist  ", themes=["innkjop", "mobilitet", "innkjop"]))
    assert data["title"] == "Kortreist"
    assert data["themes"] == ["innkjop", "mobilitet"]
    assert data["municipality"] == "4204"
    assert data["presenters"] == [{"name": "Åse Øvrebø-Ærlandsen", "email": "ase@kommune.example"}]


def test_optional_fields_default():
    data = validate({k: v for k, v in body().items() if k not in ("themes", "municipality", "presenters")})
    assert data["themes"] == [] and data["municipality"] is None and data["presenters"] == []


@pytest.mark.parametrize("field,limit", [("title", 200), ("summary", 3000)])
def test_length_limits_are_inclusive(field, limit):
    assert validate(body(**{field: "ø" * limit}))[field] == "ø" * limit
    fields = errors_of(body(**{field: "ø" * (limit + 1)}))
    assert set(fields) == {field}
    assert str(limit) in fields[field]


def test_length_counts_composed_characters():
    decomposed = "a\u030a" * 200  # å written as a + combining ring: still 200 letters
    assert len(validate(body(title=decomposed))["title"]) == 200


@pytest.mark.parametrize("field", ["kind", "format", "title", "summary"])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_required_fields(field, value):
    assert set(errors_of(body(**{field: value}))) == {field}


def test_missing_required_fields_each_get_a_message():
    fields = errors_of({})
    assert set(fields) == {"kind", "format", "title", "summary"}


def test_unknown_kind_and_format_list_the_choices():
    fields = errors_of(body(kind="foredrag", format="poster"))
    assert "praksis, ide" in fields["kind"]
    assert "innlegg, stand, verksted" in fields["format"]


def test_unknown_theme():
    fields = errors_of(body(themes=["mobilitet", "havbruk"]))
    assert set(fields) == {"themes"} and "havbruk" in fields["themes"]


def test_themes_on_event_without_themes():
    with pytest.raises(ContributionFieldErrors) as caught:
        validate_contribution(body(), kinds=KINDS, formats=FORMATS, theme_ids=[], lang="en")
    assert caught.value.fields["themes"] == gp_messages.text("no_themes_available", "en")


@pytest.mark.parametrize("value", ["42", "04204", "42o4", 4204, ["4204"], True])
def test_municipality_must_be_four_digits(value):
    assert set(errors_of(body(municipality=value))) == {"municipality"}


def test_municipality_registry_check_is_used():
    class Unknown(ValueError):
        def __init__(self, number, lang):
            super().__init__(number)
            self.message = f"{lang}: {number} finnes ikke"

    def check(number, lang):
        if number != "4204":
            raise Unknown(number, lang)

    assert validate(body(), check_municipality=check)["municipality"] == "4204"
    assert errors_of(body(municipality="9999"), lang="nn", check_municipality=check) == {
        "municipality": "nn: 9999 finnes ikke"
    }


def test_presenters_rules():
    twenty = [{"name": f"Innleder {i}", "email": f"p{i}@example.no"} for i in range(20)]
    assert len(validate(body(presenters=twenty))["presenters"]) == 20
    assert "20" in errors_of(body(presenters=twenty + [{"name": "X", "email": "x@example.no"}]))["presenters"]
    bad_email = [{"name": "Per", "email": "per@example.no"}, {"name": "Pål", "email": "pål@"}]
    assert "2" in errors_of(body(presenters=bad_email))["presenters"]
    assert set(errors_of(body(presenters=[{"email": "a@example.no"}]))) == {"presenters"}
    assert set(errors_of(body(presenters=["a@example.no"]))) == {"presenters"}
    assert set(errors_of(body(presenters={"name": "A"}))) == {"presenters"}


def test_presenters_deduplicated_by_email_case_insensitively():
    people = [
        {"name": "Åse", "email": "Ase@Kommune.example"},
        {"name": "Åse Ø.", "email": "ase@kommune.example"},
        {"name": "Bjørn", "email": "bjorn@example.no"},
    ]
    assert [p["name"] for p in validate(body(presenters=people))["presenters"]] == ["Åse", "Bjørn"]


def test_messages_follow_language():
    for lang in ("nb", "nn", "en"):
        assert errors_of(body(title=None), lang=lang)["title"] == gp_messages.text("required", lang)
    assert gp_messages.text("required", "nn") != gp_messages.text("required", "nb")
    assert gp_messages.text("required", "de") == gp_messages.text("required", "nb")


def test_every_message_has_all_languages():
    for key, variants in gp_messages.MESSAGES.items():
        assert set(variants) == set(gp_messages.LANGUAGES), key


def test_partial_checks_only_given_fields():
    assert validate({"title": "Ny tittel"}, partial=True) == {"title": "Ny tittel"}
    assert set(errors_of({"summary": ""}, partial=True)) == {"summary"}


def test_body_must_be_an_object():
    for payload in (None, [], "tekst", 3, 2.5, True):
        assert set(errors_of(payload)) == {"body"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(list(body()) + ["extra"]), json_values, max_size=8), st.booleans())
def test_any_json_gives_field_errors_never_a_crash(payload, partial):
    try:
        data = validate(payload, partial=partial)
    except ContributionFieldErrors as exc:
        assert exc.fields and all(isinstance(m, str) and m for m in exc.fields.values())
        assert set(exc.fields) <= set(body())
    else:
        assert set(data) <= set(body())


def test_applicant_added_first_when_missing():
    presenters = [{"name": "Bjørn", "email": "bjorn@example.no"}]
    assert ensure_applicant_presenter(presenters, "Åse", "ase@kommune.example") == [
        {"name": "Åse", "email": "ase@kommune.example"},
        {"name": "Bjørn", "email": "bjorn@example.no"},
    ]


def test_applicant_already_listed_keeps_position_and_is_not_doubled():
    presenters = [{"name": "Bjørn", "email": "bjorn@example.no"}, {"name": "Åse Ø.", "email": "ASE@kommune.example"}]
    result = ensure_applicant_presenter(presenters, "Åse", "ase@kommune.example")
    assert result == presenters


def test_decision_validation():
    assert validate_decision({"status": "accepted", "session_id": "s2"}, session_ids={"s1", "s2"}, lang="nb") == {
        "status": "accepted", "note": None, "session_id": "s2"}
    with pytest.raises(ContributionFieldErrors) as caught:
        validate_decision({"status": "maybe", "session_id": "s9", "note": 7}, session_ids={"s1"}, lang="en")
    assert set(caught.value.fields) == {"status", "session_id", "note"}
    with pytest.raises(ContributionFieldErrors) as caught:
        validate_decision({"status": "rejected", "session_id": "s1"}, session_ids={"s1"}, lang="nb")
    assert set(caught.value.fields) == {"session_id"}


OPENS = datetime(2022, 1, 10, 0, 0, 0, tzinfo=OSLO)
DEADLINE = datetime(2022, 4, 20, 23, 59, 59, tzinfo=OSLO)


@pytest.mark.parametrize(
    "now,expected",
    [
        (OPENS - timedelta(microseconds=1), "not_open"),
        (OPENS, "open"),
        (DEADLINE - timedelta(seconds=1), "open"),
        (DEADLINE, "open"),
        (DEADLINE + timedelta(microseconds=999_999), "open"),
        (DEADLINE + timedelta(seconds=1), "closed"),
        (datetime(2022, 4, 20, 22, 0, 0, tzinfo=ZoneInfo("UTC")), "closed"),
        (datetime(2022, 4, 20, 21, 59, 59, 500_000, tzinfo=ZoneInfo("UTC")), "open"),
    ],
)
def test_window_state_to_the_second(now, expected):
    assert window_state(OPENS, DEADLINE, now) == expected


def test_window_state_needs_aware_times_and_allows_open_ends():
    with pytest.raises(ValueError):
        window_state(OPENS, DEADLINE, datetime(2022, 2, 1))
    assert window_state(None, None, datetime(2030, 1, 1, tzinfo=OSLO)) == "open"


def test_max_per_application():
    assert can_add(0, 3) and can_add(2, 3)
    assert not can_add(3, 3) and not can_add(4, 3)
    assert can_add(100, None)
    assert not can_add(0, 0)


def test_statuses():
    assert STATUSES == ("submitted", "accepted", "rejected", "withdrawn")
    assert ACTIVE_STATUSES == {"submitted", "accepted"}
    assert counts_towards_limit("accepted") and not counts_towards_limit("withdrawn")
