"""The four seed events load, say what the announcements say, and a broken file is explained."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from samling import registry
from samling.registration.model import Event
from samling.registration.rules import registration_state, validate_application
from samling.registration.seed import DEFAULT_EVENTS_DIR, SeedError, load_event_file, load_events

OSLO = ZoneInfo("Europe/Oslo")
SEED_IDS = {
    "klimakronsj-2021",
    "klimasamling-more-og-romsdal-2021",
    "klimasats-forum-2022",
    "gronn-praksis-2022",
}


@pytest.fixture(scope="module")
def events() -> dict[str, Event]:
    return {event.id: event for event in load_events(DEFAULT_EVENTS_DIR)}


def local(value: dt.datetime) -> tuple:
    moment = value.astimezone(OSLO)
    return moment.date().isoformat(), moment.strftime("%H:%M")


def test_the_four_seeds_load(events):
    assert set(events) == SEED_IDS
    for event in events.values():
        assert (DEFAULT_EVENTS_DIR / f"{event.id}.yaml").is_file()
        # What the API hands out reads back as the same event.
        assert Event.model_validate(event.model_dump(mode="json")) == event


def test_every_file_starts_with_a_header_on_fact_and_choice():
    for path in DEFAULT_EVENTS_DIR.glob("*.yaml"):
        head = path.read_text(encoding="utf-8").split("\nid:", 1)[0]
        assert head.startswith("#"), path
        assert "Fact" in head and "Chosen" in head, path


def test_only_synthetic_addresses(events):
    for event in events.values():
        for address in re.findall(r"[\w.+-]+@[\w.-]+", repr(event.model_dump(mode="json"))):
            assert address.endswith(("@example.no", "@kommune.example")), address


def test_klimakronsj(events):
    event = events["klimakronsj-2021"]
    assert event.organiser == "Miljødirektoratet"
    assert event.venue is None
    assert [local(s.start) for s in event.sessions] == [
        ("2021-09-22", "09:00"), ("2021-09-23", "09:00"), ("2021-09-29", "09:00"), ("2021-09-30", "09:00")
    ]
    assert all(local(s.end)[1] == "13:00" and s.mode == "digital" for s in event.sessions)
    hours = sum((s.end - s.start).total_seconds() for s in event.sessions) / 3600
    assert hours == event.certificate.hours == 16
    assert event.certificate.min_attendance == 0.75
    registration = event.registration
    assert registration.mode == "application" and registration.capacity == 50
    assert registration.deadline.isoformat() == "2021-06-21T23:59:59+02:00"
    assert registration.eligibility.organisation_types == ["kommune", "fylkeskommune", "folkevalgt"]
    assert (event.groups.min_size, event.groups.max_size) == (3, 6)
    assert {q.field for q in event.selection.quotas} >= {"sector", "experience", "county", "municipality_size"}


def test_more_og_romsdal(events):
    event = events["klimasamling-more-og-romsdal-2021"]
    assert event.languages == ["nn", "nb"]
    assert event.venue.municipality == "1508"
    assert min(s.start for s in event.sessions).isoformat() == "2021-11-11T12:00:00+01:00"
    assert max(s.end for s in event.sessions).isoformat() == "2021-11-12T12:00:00+01:00"
    leaders = [s for s in event.sessions if s.audience == "leaders"]
    assert len(leaders) == 1 and "Toppleiarforum" in leaders[0].title["nn"]
    assert event.registration.deadline.isoformat() == "2021-09-15T23:59:59+02:00"
    assert event.registration.eligibility.counties == ["15"]
    accommodation = event.accommodation
    assert [d.isoformat() for d in accommodation.nights] == ["2021-11-11"]
    assert accommodation.extra_night.isoformat() == "2021-11-10"
    assert accommodation.quota_per_municipality == 4
    # The threshold must give the extra night to somebody in the county, and not to Ålesund's
    # neighbours.
    far = [m.number for m in registry.county_municipalities("15")
           if registry.distance_km("1508", m.number) >= accommodation.extra_night_min_km]
    assert far and "1506" not in far and "1576" in far
    assert "Statsforvaltaren" in event.organiser and "DFØ" in event.organiser


def test_klimasats_forum(events):
    event = events["klimasats-forum-2022"]
    assert event.organiser == "SoCentral for Miljødirektoratet"
    assert {t.id for t in event.themes} == {"matsvinn", "sirkularokonomi", "arealplanlegging"}
    assert all(t.leader is not None and t.leader.email.endswith("@example.no") for t in event.themes)
    assert len(event.sessions) == 12
    for theme in event.themes:
        sessions = [s for s in event.sessions if s.theme == theme.id]
        assert len(sessions) == 4 and all(s.mode == "digital" and s.start.year == 2022 for s in sessions)
    allowed = event.registration.eligibility.municipalities
    assert allowed and all(registry.municipality(n) is not None for n in allowed)


def test_gronn_praksis(events):
    event = events["gronn-praksis-2022"]
    assert event.venue.municipality == "4204"
    assert {local(s.start)[0] for s in event.sessions} == {"2022-05-30", "2022-05-31"}
    assert event.registration.mode == "first_come"
    assert event.registration.eligibility.organisation_types is None
    assert sum(s.slots for s in event.sessions) > 0
    assert any(s.theme is not None and s.slots > 0 for s in event.sessions)
    assert event.contributions is not None and event.contributions.deadline < event.sessions[0].start
    award = event.award
    assert award.title["nb"] == "GrønnPraksisPrisen 2022"
    assert 2 <= len(award.criteria) <= 3 and len(award.jury) >= 2
    assert award.nominations_deadline < event.sessions[0].start


def test_the_seeds_accept_a_real_application(events):
    app = validate_application(
        {"name": "Åse Øvrebø-Ærlandsen", "email": "ase@kommune.example", "organisation_type": "kommune",
         "municipality": "1508", "sector": "plan", "experience": "noe", "consent": True,
         "theme": "mobilitet"},
        events["gronn-praksis-2022"],
        "nb",
    )
    assert app.language == "nb" and app.county == "15"
    assert registration_state(events["gronn-praksis-2022"], dt.datetime(2022, 3, 1, tzinfo=OSLO)) == "open"


# --- broken files ------------------------------------------------------------------------------------


def copy_seed(tmp_path, name="klimakronsj-2021"):
    source = (DEFAULT_EVENTS_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    target = tmp_path / f"{name}.yaml"
    return source, target


def test_a_naive_deadline_names_file_and_field(tmp_path):
    source, target = copy_seed(tmp_path)
    target.write_text(source.replace('"2021-06-21T23:59:59+02:00"', "2021-06-21T23:59:59"), encoding="utf-8")
    with pytest.raises(SeedError) as caught:
        load_event_file(target)
    assert str(caught.value) == f"{target}: registration.deadline: must have a timezone offset"
    assert caught.value.fields == {"registration.deadline": "must have a timezone offset"}
    with pytest.raises(SeedError, match="registration.deadline"):
        load_events(tmp_path)


def test_other_broken_fields(tmp_path):
    source, target = copy_seed(tmp_path)
    target.write_text(source.replace("capacity: 50", "capacity: -5"), encoding="utf-8")
    with pytest.raises(SeedError, match=r"klimakronsj-2021\.yaml: registration\.capacity: must be greater than 0"):
        load_event_file(target)
    target.write_text(source.replace("mode: application", "mode: lottery"), encoding="utf-8")
    with pytest.raises(SeedError, match=r"registration\.mode: must be one of"):
        load_event_file(target)
    target.write_text(source.replace("theme: null", "theme: ukjent", 1), encoding="utf-8")
    with pytest.raises(SeedError, match="ukjent"):
        load_event_file(target)


def test_bad_yaml_and_wrong_names(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(SeedError, match=r"bad\.yaml: line \d+, column \d+: not valid YAML"):
        load_event_file(bad)
    listing = tmp_path / "list.yaml"
    listing.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(SeedError, match="must be a YAML mapping"):
        load_event_file(listing)
    source, _ = copy_seed(tmp_path)
    renamed = tmp_path / "annet-navn.yaml"
    renamed.write_text(source, encoding="utf-8")
    with pytest.raises(SeedError, match=r"annet-navn\.yaml: id: .* must match the file name"):
        load_event_file(renamed)
    with pytest.raises(SeedError, match="cannot be read"):
        load_event_file(tmp_path / "missing.yaml")
    with pytest.raises(SeedError, match="not a directory"):
        load_events(tmp_path / "nowhere")


def test_a_directory_of_good_copies_loads_in_file_order(tmp_path):
    for name in ("klimasats-forum-2022", "klimakronsj-2021"):
        source, target = copy_seed(tmp_path, name)
        target.write_text(source, encoding="utf-8")
    assert [e.id for e in load_events(tmp_path)] == ["klimakronsj-2021", "klimasats-forum-2022"]
