from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from samling.notifications.ics import CONTENT_TYPE, SessionInfo, calendar_for

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2021, 9, 1, 12, tzinfo=UTC)


def oslo(*args):
    return datetime(*args, tzinfo=OSLO)


def parse(raw: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(raw)


def events(cal):
    return list(cal.walk("VEVENT"))


DST_END = SessionInfo("s1", "Økt 1", oslo(2021, 10, 31, 9), oslo(2021, 10, 31, 13), None,
                      "https://example.invalid/mote")
DST_START = SessionInfo("s2", "Økt 2", oslo(2021, 3, 28, 10), oslo(2021, 3, 28, 12),
                        "Rådhuset, Ålesund", None)


def build(sessions=(DST_END, DST_START), sequence=0, **kw):
    return calendar_for("klimakronsj-2021", "Klimakrønsj 2021", "Miljødirektoratet", sessions,
                        "a1", sequence, now=NOW, **kw)


def test_parses_back_with_one_event_per_session():
    cal = parse(build())
    assert str(cal["METHOD"]) == "REQUEST"
    assert [str(e["UID"]) for e in events(cal)] == [
        "klimakronsj-2021-s1-a1@samling", "klimakronsj-2021-s2-a1@samling"]
    assert all(int(e["SEQUENCE"]) == 0 for e in events(cal))


def test_utc_times_on_the_day_summer_time_ends():
    ev = events(parse(build()))[0]
    assert ev.decoded("DTSTART").astimezone(UTC) == datetime(2021, 10, 31, 8, tzinfo=UTC)
    assert ev.decoded("DTEND").astimezone(UTC) == datetime(2021, 10, 31, 12, tzinfo=UTC)
    assert ev["DTSTART"].params["TZID"] == "Europe/Oslo"


def test_utc_times_on_the_day_summer_time_starts():
    ev = events(parse(build()))[1]
    # After 02:00 on 28 March 2021 Oslo is UTC+2.
    assert ev.decoded("DTSTART").astimezone(UTC) == datetime(2021, 3, 28, 8, tzinfo=UTC)
    assert ev.decoded("DTEND").astimezone(UTC) == datetime(2021, 3, 28, 10, tzinfo=UTC)


def test_vtimezone_describes_both_offsets():
    cal = parse(build())
    zones = list(cal.walk("VTIMEZONE"))
    assert [str(z["TZID"]) for z in zones] == ["Europe/Oslo"]
    offsets = {sub["TZOFFSETTO"].td for sub in zones[0].subcomponents}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}
    # Readers without a zone database rely on the transitions listed here.
    text = build().decode()
    zone = text[text.index("BEGIN:VTIMEZONE"):text.index("END:VTIMEZONE")]
    assert "20211031T030000" in zone and "20210328T030000" in zone
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")


def test_location_or_join_url():
    digital, physical = events(parse(build()))
    assert str(digital["URL"]) == "https://example.invalid/mote"
    assert "https://example.invalid/mote" in str(digital["DESCRIPTION"])
    assert str(physical["LOCATION"]) == "Rådhuset, Ålesund"
    assert "URL" not in physical
    assert str(digital["SUMMARY"]) == "Klimakrønsj 2021: Økt 1"


def test_update_keeps_uids_and_raises_sequence():
    first, second = parse(build(sequence=0)), parse(build(sequence=3))
    assert [e["UID"] for e in events(first)] == [e["UID"] for e in events(second)]
    assert [int(e["SEQUENCE"]) for e in events(second)] == [3, 3]


def test_uids_differ_per_participant():
    other = calendar_for("klimakronsj-2021", "K", "M", [DST_END], "a2", now=NOW)
    assert str(events(parse(other))[0]["UID"]) == "klimakronsj-2021-s1-a2@samling"


def test_same_input_same_bytes():
    assert build() == build()


def test_cancel():
    cal = parse(build(sequence=1, method="CANCEL"))
    assert str(cal["METHOD"]) == "CANCEL"
    assert {str(e["STATUS"]) for e in events(cal)} == {"CANCELLED"}


def test_organiser_and_attendee_addresses():
    ev = events(parse(build(organiser_email="noreply@example.no",
                            attendee_email="ase@kommune.example")))[0]
    assert str(ev["ORGANIZER"]) == "mailto:noreply@example.no"
    assert ev["ORGANIZER"].params["CN"] == "Miljødirektoratet"
    assert str(ev["ATTENDEE"]) == "mailto:ase@kommune.example"


def test_iso_strings_are_accepted_and_naive_times_refused():
    s = SessionInfo("s3", "Økt 3", "2021-09-22T09:00:00+02:00", "2021-09-22T13:00:00+02:00")
    ev = events(parse(build([s])))[0]
    assert ev.decoded("DTSTART").astimezone(UTC) == datetime(2021, 9, 22, 7, tzinfo=UTC)
    with pytest.raises(ValueError):
        build([SessionInfo("s4", "x", datetime(2021, 9, 22, 9), datetime(2021, 9, 22, 10))])
    with pytest.raises(ValueError):
        build([SessionInfo("s5", "x", oslo(2021, 9, 22, 10), oslo(2021, 9, 22, 9))])


def test_content_type_names_the_method():
    assert "method=REQUEST" in CONTENT_TYPE
