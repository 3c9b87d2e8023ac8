"""Application form rules, windows, eligibility, offer deadlines and the texts behind them."""

from __future__ import annotations

import copy
import datetime as dt
import re
import string
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samling.registration import messages
from samling.registration.messages import MESSAGES, text
from samling.registration.model import ApplicationInput, Event
from samling.registration.rules import (
    FieldErrors,
    MalformedBody,
    contributions_state,
    eligibility_problem,
    max_per_municipality_problem,
    nominations_state,
    offer_deadline,
    offer_expired,
    parse_event,
    registration_state,
    sessions_open_to,
    validate_application,
    window_state,
)

OSLO = ZoneInfo("Europe/Oslo")


def make_event(**changes) -> Event:
    data = {
        "id": "test-event",
        "title": {"nb": "Testsamling"},
        "organiser": "Miljødirektoratet",
        "languages": ["nb", "nn"],
        "sessions": [
            {"id": "s1", "title": {"nb": "Økt 1"}, "start": "2021-11-11T12:00:00+01:00",
             "end": "2021-11-11T15:00:00+01:00", "mode": "physical"},
            {"id": "leiar", "title": {"nn": "Toppleiarforum"}, "start": "2021-11-11T15:00:00+01:00",
             "end": "2021-11-11T17:00:00+01:00", "mode": "physical", "audience": "leaders"},
        ],
        "registration": {
            "opens": "2021-05-01T00:00:00+02:00",
            "deadline": "2021-06-21T23:59:59+02:00",
            "mode": "application",
            "capacity": 50,
        },
        "accommodation": {"nights": ["2021-11-11"], "extra_night": "2021-11-10",
                          "quota_per_municipality": 4, "extra_night_min_km": 100},
    }
    for key, value in changes.items():
        if key == "registration":
            data["registration"] = {**data["registration"], **value}
        else:
            data[key] = value
    return Event.model_validate(data)


EVENT = make_event()
THEMED = make_event(
    themes=[{"id": "matsvinn", "title": {"nb": "Matsvinn"}}, {"id": "areal", "title": {"nb": "Areal"}}],
    registration={"mode": "first_come"},
)

BODY = {
    "name": "Kari Nordmann", "email": "kari@kommune.example", "phone": "+47 900 00 000",
    "organisation_type": "kommune", "municipality": "1508", "organisation": None,
    "role": "radgiver", "sector": "klima_miljo", "experience": "lite",
    "motivation": "Jeg vil lære.", "language": "nb", "theme": None, "sessions": None,
    "interests": ["mobilitet", "arealplanlegging"],
    "accommodation": {"needed": True, "extra_night": True}, "dietary": None,
    "consent": True,
}


def body(**changes) -> dict:
    data = copy.deepcopy(BODY)
    data.update(changes)
    return data


def field_errors(payload, event=EVENT, lang="nb", **kwargs) -> dict[str, str]:
    with pytest.raises(FieldErrors) as caught:
        validate_application(payload, event, lang, **kwargs)
    return caught.value.fields


# --- a good application --------------------------------------------------------------------------


def test_the_contract_example_body_is_accepted_and_cleaned():
    app = validate_application(body(email="  Kari@Kommune.EXAMPLE ", name="  Kari   Nordmann "), EVENT, "nb")
    assert isinstance(app, ApplicationInput)
    assert app.email == "kari@kommune.example"
    assert app.name == "Kari Nordmann"
    assert app.county == "15"
    assert app.accommodation.needed and app.accommodation.extra_night
    assert app.interests == ["mobilitet", "arealplanlegging"]


def test_blank_answers_become_none_and_language_defaults_to_the_event():
    app = validate_application(body(phone="", dietary="   ", language=None, organisation=""), EVENT, "nb")
    assert app.phone is None and app.dietary is None and app.organisation is None
    assert app.language == "nb"
    app = validate_application(body(language="en"), EVENT, "nb")
    assert app.language == "en"


def test_unknown_keys_are_ignored():
    app = validate_application(body(submit="Send", status="confirmed", token="x"), EVENT, "nb")
    assert not hasattr(app, "submit") and app.name == "Kari Nordmann"


# --- one rule at a time --------------------------------------------------------------------------


def test_name_is_required_and_bounded():
    assert field_errors(body(name=None)) == {"name": "Skriv inn navnet ditt."}
    assert field_errors(body(name="   ")) == {"name": "Skriv inn navnet ditt."}
    assert "200" in field_errors(body(name="Å" * 201))["name"]
    assert validate_application(body(name="Å" * 200), EVENT, "nb").name == "Å" * 200
    assert field_errors(body(name="Kari\x00Nordmann")) == {"name": text("field.invalid_characters", "nb")}


@pytest.mark.parametrize(
    "email",
    ["kari", "kari@", "@kommune.example", "kari@kommune", "kari nordmann@kommune.example",
     "kari@@kommune.example", "kari@kommune.e", "k" * 65 + "@kommune.example",
     "kari@" + "a" * 250 + ".no", 42, ["kari@kommune.example"]],
)
def test_invalid_emails(email):
    assert field_errors(body(email=email), lang="nn") == {"email": "Skriv inn ei gyldig e-postadresse."}


def test_missing_email():
    assert field_errors(body(email=""), lang="en") == {"email": "Please enter your email address."}


@pytest.mark.parametrize("consent", [False, None, "true", 1, "on", [True]])
def test_consent_must_be_true(consent):
    assert set(field_errors(body(consent=consent))) == {"consent"}


def test_consent_missing():
    data = body()
    del data["consent"]
    assert set(field_errors(data)) == {"consent"}


def test_organisation_type_in_the_enum():
    assert field_errors(body(organisation_type="bedrift")) == {"organisation_type": text("organisation_type.invalid", "nb")}
    assert field_errors(body(organisation_type=None)) == {"organisation_type": text("organisation_type.required", "nb")}


@pytest.mark.parametrize("kind", ["kommune", "folkevalgt"])
def test_municipality_required_for_municipal_applicants(kind):
    assert field_errors(body(organisation_type=kind, municipality=None)) == {
        "municipality": text("municipality.required", "nb")
    }


def test_municipality_message_comes_from_the_registry_in_the_asked_language():
    message = field_errors(body(municipality="1507"), lang="nn")["municipality"]
    assert "1508" in message and "1580" in message and "Vel" in message
    message = field_errors(body(municipality="15O8"), lang="en")["municipality"]
    assert "not a valid municipality number" in message
    assert "ingen kommune" in field_errors(body(municipality="9999"))["municipality"]
    assert field_errors(body(municipality=1508)) == {"municipality": text("municipality.not_text", "nb")}
    assert validate_application(body(municipality=" 0301 "), EVENT, "nb").municipality == "0301"


def test_county_for_county_authorities():
    base = body(organisation_type="fylkeskommune", municipality=None)
    assert field_errors(base) == {"county": text("county.required", "nb")}
    assert "Viken" in field_errors(dict(base, county="30"))["county"]
    assert validate_application(dict(base, county="15"), EVENT, "nb").county == "15"
    assert field_errors(body(county="46")) == {"county": text("county.mismatch", "nb")}


@pytest.mark.parametrize("kind", ["statlig", "naeringsliv", "sivilsamfunn", "fou"])
def test_organisation_required_for_the_others(kind):
    base = body(organisation_type=kind, municipality=None)
    assert field_errors(base) == {"organisation": text("organisation.required", "nb")}
    app = validate_application(dict(base, organisation=" Statsforvaltaren "), EVENT, "nb")
    assert app.organisation == "Statsforvaltaren" and app.municipality is None


def test_sector_and_experience_enums_and_when_they_are_required():
    assert field_errors(body(sector="fiske")) == {"sector": text("sector.invalid", "nb")}
    assert field_errors(body(experience="masse")) == {"experience": text("experience.invalid", "nb")}
    # Selection needs them; a first-come event does not.
    assert set(field_errors(body(sector=None, experience=None))) == {"sector", "experience"}
    first_come = make_event(registration={"mode": "first_come"})
    app = validate_application(body(sector=None, experience=None), first_come, "nb")
    assert app.sector is None and app.experience is None


def test_motivation_length():
    assert validate_application(body(motivation="m" * 5000), EVENT, "nb").motivation == "m" * 5000
    assert field_errors(body(motivation="m" * 5001)) == {"motivation": text("motivation.too_long", "nb", max="5\u00a0000")}
    app = validate_application(body(motivation="Linje 1\nLinje 2"), EVENT, "nb")
    assert app.motivation == "Linje 1\nLinje 2"


def test_language_choice():
    assert field_errors(body(language="de")) == {"language": text("language.invalid", "nb")}
    # Any of the three is fine even when the event itself is not in it.
    assert validate_application(body(language="en"), EVENT, "nb").language == "en"


def test_theme_for_themed_events():
    assert field_errors(body(theme=None), THEMED) == {"theme": text("theme.required", "nb")}
    assert field_errors(body(theme="energi"), THEMED) == {"theme": text("theme.invalid", "nb")}
    assert validate_application(body(theme="areal"), THEMED, "nb").theme == "areal"
    assert field_errors(body(theme="areal")) == {"theme": text("theme.not_offered", "nb")}


def test_sessions_must_be_the_events():
    assert field_errors(body(sessions=["s1", "s9"])) == {"sessions": text("sessions.invalid", "nb")}
    assert field_errors(body(sessions="s1")) == {"sessions": text("sessions.invalid", "nb")}
    assert validate_application(body(sessions=["s1", "s1"]), EVENT, "nb").sessions == ["s1"]


def test_interests_are_short_strings():
    assert set(field_errors(body(interests="mobilitet"))) == {"interests"}
    assert set(field_errors(body(interests=[1, 2]))) == {"interests"}
    assert set(field_errors(body(interests=["x" * 101]))) == {"interests"}
    assert set(field_errors(body(interests=[f"i{n}" for n in range(21)]))) == {"interests"}
    assert validate_application(body(interests=None), EVENT, "nb").interests == []


def test_accommodation_only_counts_where_the_event_offers_it():
    no_hotel = make_event(accommodation=None)
    assert validate_application(body(), no_hotel, "nb").accommodation is None
    assert validate_application(body(accommodation={"needed": False, "extra_night": True}), EVENT, "nb").accommodation is None
    no_extra = make_event(accommodation={"nights": ["2021-11-11"], "quota_per_municipality": 4, "extra_night_min_km": 100})
    assert validate_application(body(), no_extra, "nb").accommodation.extra_night is False
    assert set(field_errors(body(accommodation={"needed": "ja"}))) == {"accommodation"}
    assert set(field_errors(body(accommodation=[True]))) == {"accommodation"}


def test_phone():
    assert set(field_errors(body(phone="ring meg"))) == {"phone"}
    assert set(field_errors(body(phone="+47 " + "9" * 40))) == {"phone"}
    assert validate_application(body(phone="900  00 000"), EVENT, "nb").phone == "900 00 000"


def test_several_problems_give_one_message_each_in_the_language():
    errors = field_errors(body(name="", email="nei", consent=False), lang="nn")
    assert errors == {
        "name": "Skriv inn namnet ditt.",
        "email": "Skriv inn ei gyldig e-postadresse.",
        "consent": text("consent.required", "nn"),
    }
    assert field_errors(body(name=""), lang="xx") == {"name": "Skriv inn navnet ditt."}


# --- malformed bodies -------------------------------------------------------------------------------

MALFORMED = [
    None, [], [BODY], "", "kari", 0, 3.14, True, {},
    {"name": None, "email": None},
    {"name": ["Kari"], "email": {"a": 1}},
    body(name={"first": "Kari"}),
    body(name=12345),
    body(name="x" * 1_000_000),
    body(email="x" * 100_000 + "@kommune.example"),
    body(motivation="m" * 1_000_000),
    body(motivation=["m"]),
    body(organisation_type=["kommune"]),
    body(organisation_type={"kommune": True}),
    body(municipality=["1508"]),
    body(municipality={"number": "1508"}),
    body(municipality="1" * 100_000),
    body(county=15, organisation_type="fylkeskommune", municipality=None),
    body(sessions=[["s1"]]),
    body(sessions={"s1": True}),
    body(interests=[{"deep": [[[[]]]]}]),
    body(interests=["x"] * 10_000),
    body(accommodation="ja"),
    body(accommodation={"needed": [True]}),
    body(language=["nb"]),
    body(theme=7),
    body(dietary={"vegan": True}),
    body(role=["ordforer"]),
    body(consent="yes"),
    body(phone=4790000000),
    {"\u0000": "\u0000", "name": "\ud800"},
]


@pytest.mark.parametrize("payload", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_bodies_give_field_errors_and_nothing_else(payload):
    with pytest.raises(FieldErrors) as caught:
        validate_application(payload, EVENT, "en")
    fields = caught.value.fields
    assert fields and all(isinstance(message, str) and message for message in fields.values())
    for message in fields.values():
        assert "Input should" not in message and "pydantic" not in message
        assert len(message) < 400
    if not isinstance(payload, dict):
        assert isinstance(caught.value, MalformedBody)
        assert caught.value.message == text("body.not_object", "en")


def test_there_are_at_least_thirty_malformed_bodies():
    assert len(MALFORMED) >= 30


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from(list(BODY) + ["county", "extra"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(field_names, json_values, max_size=12), st.booleans())
def test_any_json_object_is_accepted_or_explained(payload, partial):
    merged = {**BODY, **payload}
    try:
        result = validate_application(merged, THEMED, "nn", partial=partial)
    except FieldErrors as exc:
        assert exc.fields and all(isinstance(v, str) and v for v in exc.fields.values())
        assert set(exc.fields) <= set(BODY) | {"county", "body"}
    else:
        assert isinstance(result, dict if partial else ApplicationInput)


# --- PATCH -------------------------------------------------------------------------------------------


def test_partial_validates_only_what_is_given():
    assert validate_application({"motivation": "  Nytt  "}, EVENT, "nb", partial=True) == {"motivation": "Nytt"}
    assert validate_application({"municipality": "1506"}, EVENT, "nb", partial=True) == {
        "municipality": "1506", "county": "15"
    }
    assert validate_application({}, EVENT, "nb", partial=True) == {}
    assert field_errors({"email": "nei"}, partial=True) == {"email": text("email.invalid", "nb")}
    assert field_errors({"consent": False}, partial=True) == {"consent": text("consent.required", "nb")}
    # Changing the type brings its requirement along.
    assert field_errors({"organisation_type": "statlig"}, partial=True) == {
        "organisation": text("organisation.required", "nb")
    }
    assert field_errors({"theme": None}, THEMED, partial=True) == {"theme": text("theme.required", "nb")}
    with pytest.raises(MalformedBody):
        validate_application([], EVENT, "nb", partial=True)


# --- windows -----------------------------------------------------------------------------------------


def oslo(*parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=OSLO)


def test_the_deadline_second_is_still_open():
    assert registration_state(EVENT, oslo(2021, 6, 21, 23, 59, 59, 999_999)) == "open"
    assert registration_state(EVENT, oslo(2021, 6, 21, 23, 59, 59)) == "open"
    assert registration_state(EVENT, oslo(2021, 6, 22, 0, 0, 0)) == "closed"
    assert registration_state(EVENT, oslo(2021, 6, 22, 0, 0, 0, 1)) == "closed"
    # The same instants seen from UTC.
    assert registration_state(EVENT, dt.datetime(2021, 6, 21, 21, 59, 59, 500_000, tzinfo=dt.UTC)) == "open"
    assert registration_state(EVENT, dt.datetime(2021, 6, 21, 22, 0, 0, tzinfo=dt.UTC)) == "closed"


def test_opening_boundary():
    assert registration_state(EVENT, oslo(2021, 4, 30, 23, 59, 59, 999_999)) == "not_open"
    assert registration_state(EVENT, oslo(2021, 5, 1, 0, 0, 0)) == "open"
    assert registration_state(EVENT, oslo(2021, 5, 15, 12)) == "open"


def test_windows_need_aware_times():
    with pytest.raises(ValueError):
        registration_state(EVENT, dt.datetime(2021, 6, 1, 12))
    with pytest.raises(ValueError):
        window_state(dt.datetime(2021, 1, 1), oslo(2021, 2, 1), oslo(2021, 1, 15))


def test_window_state_is_generic():
    opens, deadline = oslo(2022, 1, 10), oslo(2022, 4, 20, 23, 59, 59)
    assert window_state(opens, deadline, oslo(2022, 1, 9, 23, 59, 59, 999_999)) == "not_open"
    assert window_state(opens, deadline, oslo(2022, 4, 20, 23, 59, 59, 999_999)) == "open"
    assert window_state(opens, deadline, oslo(2022, 4, 21)) == "closed"


def test_contribution_and_nomination_windows():
    assert contributions_state(EVENT, oslo(2022, 1, 1)) is None
    assert nominations_state(EVENT, oslo(2022, 1, 1)) is None
    event = make_event(
        contributions={"opens": "2022-01-10T00:00:00+01:00", "deadline": "2022-04-20T23:59:59+02:00",
                       "kinds": ["praksis"], "formats": ["stand"]},
        award={"title": {"nb": "Prisen"}, "nominations_open": "2022-02-01T00:00:00+01:00",
               "nominations_deadline": "2022-04-20T23:59:59+02:00",
               "criteria": [{"id": "effekt", "title": {"nb": "Effekt"}, "weight": 1}]},
    )
    assert contributions_state(event, oslo(2022, 1, 15)) == "open"
    assert nominations_state(event, oslo(2022, 1, 15)) == "not_open"
    assert nominations_state(event, oslo(2022, 4, 21)) == "closed"


def test_offer_deadline_is_the_end_of_the_day_in_oslo():
    deadline = offer_deadline(EVENT, oslo(2021, 7, 1, 10, 15))
    assert deadline == oslo(2021, 7, 8, 23, 59, 59)
    assert deadline.utcoffset() == dt.timedelta(hours=2)
    # 22:30 UTC is already the next day in Oslo.
    assert offer_deadline(EVENT, dt.datetime(2021, 7, 1, 22, 30, tzinfo=dt.UTC)) == oslo(2021, 7, 9, 23, 59, 59)
    # Across the end of summer time the wall clock stays 23:59:59.
    autumn = offer_deadline(EVENT, oslo(2021, 10, 28, 9))
    assert autumn.isoformat() == "2021-11-04T23:59:59+01:00"
    short = make_event(registration={"offer_response_days": 0})
    assert offer_deadline(short, oslo(2021, 7, 1, 8)) == oslo(2021, 7, 1, 23, 59, 59)
    with pytest.raises(ValueError):
        offer_deadline(EVENT, dt.datetime(2021, 7, 1))


def test_offer_expired_uses_the_same_second_rule():
    offered = oslo(2021, 7, 1, 10)
    assert not offer_expired(EVENT, offered, oslo(2021, 7, 8, 23, 59, 59, 999_999))
    assert offer_expired(EVENT, offered, oslo(2021, 7, 9, 0, 0, 0))


# --- eligibility -------------------------------------------------------------------------------------


def app_for(event=EVENT, **changes) -> ApplicationInput:
    return validate_application(body(**changes), event, "nb")


def test_everyone_valid_is_eligible_without_rules():
    assert eligibility_problem(EVENT, app_for(), "nb") is None


def test_organisation_type_allow_list():
    event = make_event(registration={"eligibility": {"organisation_types": ["kommune", "fylkeskommune", "folkevalgt"]}})
    statlig = app_for(event, organisation_type="statlig", municipality=None, organisation="Direktoratet")
    reason = eligibility_problem(event, statlig, "nb")
    assert reason == "Arrangementet er bare åpent for kommuner, fylkeskommuner og folkevalgte."
    assert eligibility_problem(event, app_for(event), "nb") is None


def test_county_allow_list_through_municipality_or_county():
    event = make_event(registration={"eligibility": {"counties": ["15"]}})
    assert eligibility_problem(event, app_for(event, municipality="1506"), "nn") is None
    oslo_app = app_for(event, municipality="0301")
    assert eligibility_problem(event, oslo_app, "nn") == "Arrangementet er berre ope for deltakarar frå Møre og Romsdal."
    county_ok = app_for(event, organisation_type="fylkeskommune", municipality=None, county="15")
    assert eligibility_problem(event, county_ok, "nb") is None
    county_no = app_for(event, organisation_type="fylkeskommune", municipality=None, county="46")
    assert "Møre og Romsdal" in eligibility_problem(event, county_no, "en")
    unknown = app_for(event, organisation_type="statlig", municipality=None, organisation="Etaten")
    assert eligibility_problem(event, unknown, "nb") == text("eligibility.county_unknown", "nb", counties="Møre og Romsdal")


def test_municipality_allow_list():
    event = make_event(registration={"eligibility": {"municipalities": ["1508", "0301"]}})
    assert eligibility_problem(event, app_for(event, municipality="0301"), "nb") is None
    reason = eligibility_problem(event, app_for(event, municipality="1506"), "nb")
    assert reason == "Arrangementet er bare åpent for inviterte kommuner, og Molde er ikke blant dem."
    county_app = app_for(event, organisation_type="fylkeskommune", municipality=None, county="15")
    assert eligibility_problem(event, county_app, "nb") == text("eligibility.municipality_unknown", "nb")


def test_leaders_only_sessions():
    advisor = app_for(sessions=["s1", "leiar"], role="radgiver")
    assert eligibility_problem(EVENT, advisor, "nb") == "Økta «Toppleiarforum» er bare for ordførere og kommunedirektører."
    for role in ("ordforer", "kommunedirektor", "Ordforer"):
        assert eligibility_problem(EVENT, app_for(sessions=["leiar"], role=role), "nb") is None
    assert eligibility_problem(EVENT, app_for(sessions=["s1"], role=None), "nb") is None
    assert sessions_open_to(EVENT, "radgiver") == ["s1"]
    assert sessions_open_to(EVENT, "ordforer") == ["s1", "leiar"]


def test_theme_is_part_of_eligibility():
    unthemed = ApplicationInput.model_validate(
        {**validate_application(body(theme="areal"), THEMED, "nb").model_dump(), "theme": None}
    )
    assert eligibility_problem(THEMED, unthemed, "nb") == text("theme.required", "nb")
    wrong = ApplicationInput.model_validate({**unthemed.model_dump(), "theme": "energi"})
    assert eligibility_problem(THEMED, wrong, "nb") == text("theme.invalid", "nb")
    assert eligibility_problem(EVENT, wrong, "nb") == text("theme.not_offered", "nb")


def test_max_per_municipality():
    assert max_per_municipality_problem(EVENT, "1508", 100, "nb") is None
    event = make_event(registration={"max_per_municipality": 2})
    assert max_per_municipality_problem(event, "1508", 1, "nb") is None
    assert max_per_municipality_problem(event, "1508", 2, "nb") == (
        "Ålesund har allerede 2 påmeldte, som er det høyeste antallet per kommune."
    )
    assert max_per_municipality_problem(event, None, 5, "nb") is None


# --- event configuration through the API ------------------------------------------------------------


def test_parse_event_reports_paths():
    with pytest.raises(MalformedBody):
        parse_event(["not", "an", "event"])
    data = EVENT.model_dump(mode="json")
    data["registration"]["deadline"] = "2021-06-21T23:59:59"
    with pytest.raises(FieldErrors) as caught:
        parse_event(data)
    assert caught.value.fields == {"registration.deadline": "must have a timezone offset"}
    assert parse_event(EVENT.model_dump(mode="json")) == EVENT


# --- messages ----------------------------------------------------------------------------------------


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_every_key_with_the_same_placeholders():
    keys = set(MESSAGES["nb"])
    assert set(MESSAGES["nn"]) == keys
    assert set(MESSAGES["en"]) == keys
    for key in keys:
        assert placeholders(MESSAGES["nb"][key]) == placeholders(MESSAGES["nn"][key]) == placeholders(MESSAGES["en"][key]), key
        for lang in ("nb", "nn", "en"):
            assert MESSAGES[lang][key].strip(), (lang, key)


def test_every_error_code_has_a_message():
    for code in messages.ERROR_CODES:
        for lang in ("nb", "nn", "en"):
            assert text(f"error.{code}", lang)
    assert set(messages.ERROR_CODES) == {
        "bad_request", "unauthorized", "forbidden", "not_found", "validation_error", "not_eligible",
        "registration_closed", "registration_not_open", "state_conflict", "offer_expired", "payload_too_large",
    }


def test_nynorsk_is_not_bokmal():
    differing = [key for key in MESSAGES["nb"] if MESSAGES["nb"][key] != MESSAGES["nn"][key]]
    assert len(differing) > len(MESSAGES["nb"]) / 2
    assert text("email.invalid", "nb") == "Skriv inn en gyldig e-postadresse."
    assert text("email.invalid", "nn") == "Skriv inn ei gyldig e-postadresse."
    for template in MESSAGES["nn"].values():
        assert not re.search(r"\b(ikke|hvilket|hvor|jobber|velg)\b", template), template


def test_text_falls_back_to_bokmal_and_fills_parameters():
    assert text("error.not_found", "de") == text("error.not_found", "nb")
    assert text("error.not_found", None) == text("error.not_found", "nb")
    assert text("field.too_long", "en", max=200) == "This is too long (at most 200 characters)."
    assert text("field.too_long", "en") == "This is too long (at most {max} characters)."
    with pytest.raises(KeyError):
        text("no.such.key", "nb")
    assert messages.join_list(["a", "b", "c"], "en") == "a, b and c"
    assert messages.join_list(["a"], "nb") == "a"
    assert messages.label("sector", "plan", "en") == "Planning"
    assert messages.label("role", "prosjektleder", "nb") == "prosjektleder"


def test_shared_helpers():
    from samling.registration.rules import is_valid_email, local_text

    assert is_valid_email(" kari@kommune.example ") and not is_valid_email("kari@kommune") and not is_valid_email(None)
    assert local_text({"nn": "Namn", "en": "Name"}, "nb") == "Namn"
    assert local_text({"en": "Name"}, "nn") == "Name"
    assert local_text({"nb": "Navn", "en": "Name"}, "en") == "Name"


@pytest.mark.parametrize("address, ok", [
    ("kari@kommune.example", True), ("åse.øvrebø@kommune.no", True), ("ola+klima@x.no", True),
    ("<b>@kommune.example", False), ("a@b", False), ("a..b@x.no", False), ("a@x.no>", False),
    ('"q"@x.no', False), ("kari@kommune..no", False), ("kari@-", False)])
def test_email_addresses_with_markup_or_broken_parts_are_refused(address, ok):
    from samling.registration.rules import EMAIL_PATTERN

    assert bool(EMAIL_PATTERN.match(address)) is ok
