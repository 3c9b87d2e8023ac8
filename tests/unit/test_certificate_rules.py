import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from samling.certificates import codes, rules, texts
from samling.certificates.rules import SessionInfo

OSLO = ZoneInfo("Europe/Oslo")


def at(day: int, hour: int, month: int = 9, year: int = 2021) -> datetime:
    return datetime(year, month, day, hour, tzinfo=OSLO)


FOUR_DAYS = [
    SessionInfo("s1", "all", at(22, 9), at(22, 13)),
    SessionInfo("s2", "all", at(23, 9), at(23, 13)),
    SessionInfo("s3", "all", at(29, 9), at(29, 13)),
    SessionInfo("s4", "all", at(30, 9), at(30, 13)),
]
WITH_LEADERS = FOUR_DAYS + [SessionInfo("toppleiar", "leaders", at(30, 14), at(30, 16))]


# Attendance rules


def test_three_of_four_qualifies_at_three_quarters():
    assert rules.qualifies({"s1", "s2", "s4"}, FOUR_DAYS, False, 0.75)


def test_two_of_four_does_not_qualify():
    assert not rules.qualifies({"s1", "s3"}, FOUR_DAYS, False, 0.75)


def test_leaders_only_session_does_not_count_against_others():
    assert rules.sessions_open_to(WITH_LEADERS, is_leader=False) == ["s1", "s2", "s3", "s4"]
    assert rules.qualifies({"s1", "s2", "s3"}, WITH_LEADERS, False, 0.75)


def test_leaders_only_session_counts_for_leaders():
    assert rules.sessions_open_to(WITH_LEADERS, is_leader=True)[-1] == "toppleiar"
    assert rules.attended_share({"s1", "s2", "s3"}, rules.sessions_open_to(WITH_LEADERS, True)) == 0.6
    assert not rules.qualifies({"s1", "s2", "s3"}, WITH_LEADERS, True, 0.75)
    assert rules.qualifies({"s1", "s2", "s3", "toppleiar"}, WITH_LEADERS, True, 0.75)


def test_attendance_in_a_session_not_open_to_the_person_is_ignored():
    attended = {"s1", "s2", "toppleiar", "no-such-session"}
    assert rules.attended_share(attended, rules.sessions_open_to(WITH_LEADERS, False)) == 0.5
    assert not rules.qualifies(attended, WITH_LEADERS, False, 0.75)


def test_no_open_sessions_gives_no_certificate():
    leaders_only = [SessionInfo("toppleiar", "leaders", at(11, 12, 11), at(11, 15, 11))]
    assert rules.sessions_open_to(leaders_only, False) == []
    assert rules.attended_share({"toppleiar"}, []) == 0.0
    assert not rules.qualifies({"toppleiar"}, leaders_only, False, 0.0)
    assert not rules.qualifies(set(), [], True, 0.5)


def test_nobody_qualifies_without_attending_even_at_zero_threshold():
    assert not rules.qualifies(set(), FOUR_DAYS, False, 0.0)
    assert rules.qualifies({"s2"}, FOUR_DAYS, False, 0.0)


def test_full_threshold_needs_every_session():
    assert rules.qualifies({"s1", "s2", "s3", "s4"}, FOUR_DAYS, False, 1.0)
    assert not rules.qualifies({"s1", "s2", "s3"}, FOUR_DAYS, False, 1.0)


def test_rounded_threshold_accepts_the_ratio_it_stands_for():
    three = FOUR_DAYS[:3]
    assert rules.qualifies({"s1", "s2"}, three, False, 0.6666666666666666)
    assert not rules.qualifies({"s1"}, three, False, 0.5)


def test_threshold_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError):
        rules.qualifies({"s1"}, FOUR_DAYS, False, 75)


def test_attended_share_accepts_session_objects():
    assert rules.attended_share({"s1"}, FOUR_DAYS[:2]) == 0.5


def test_leader_roles():
    assert rules.is_leader_role("ordforer")
    assert rules.is_leader_role("kommunedirektor")
    assert not rules.is_leader_role("radgiver")
    assert not rules.is_leader_role("leder")
    assert not rules.is_leader_role(None)


def test_session_from_config():
    s = SessionInfo.from_config({"id": "s1", "audience": "leaders", "start": "2021-09-22T09:00:00+02:00",
                                 "end": "2021-09-22T13:00:00+02:00", "mode": "digital"})
    assert s == SessionInfo("s1", "leaders", at(22, 9), at(22, 13))
    assert SessionInfo.from_config({"id": "s2"}).audience == "all"


def test_session_rejects_unknown_audience_and_naive_times():
    with pytest.raises(ValueError):
        SessionInfo("s1", "everyone")
    with pytest.raises(ValueError):
        SessionInfo("s1", "all", datetime(2021, 9, 22, 9))


# Dates


def test_dates_within_one_month():
    assert rules.event_dates_text(FOUR_DAYS, "nb") == "22.–30. september 2021"
    assert rules.event_dates_text(FOUR_DAYS, "nn") == "22.–30. september 2021"
    assert rules.event_dates_text(FOUR_DAYS, "en") == "22 – 30 September 2021"


def test_dates_of_one_session_spanning_two_days():
    lunch_to_lunch = [SessionInfo("s1", "all", at(11, 12, 11), at(12, 12, 11))]
    assert rules.event_dates_text(lunch_to_lunch, "nn") == "11.–12. november 2021"
    assert rules.event_dates_text(lunch_to_lunch, "en") == "11 – 12 November 2021"


def test_dates_on_a_single_day_and_across_months_and_years():
    one = [SessionInfo("s1", "all", at(30, 9, 5, 2022), at(30, 15, 5, 2022))]
    assert rules.event_dates_text(one, "nb") == "30. mai 2022"
    assert rules.event_dates_text(one, "en") == "30 May 2022"
    months = [SessionInfo("a", "all", at(30, 9), at(30, 12)), SessionInfo("b", "all", at(2, 9, 10), at(2, 12, 10))]
    assert rules.event_dates_text(months, "nb") == "30. september – 2. oktober 2021"
    assert rules.event_dates_text(months, "en") == "30 September – 2 October 2021"
    years = [SessionInfo("a", "all", at(30, 9, 12), at(30, 12, 12)),
             SessionInfo("b", "all", at(2, 9, 1, 2022), at(2, 12, 1, 2022))]
    assert rules.event_dates_text(years, "nb") == "30. desember 2021 – 2. januar 2022"
    assert rules.event_dates_text(years, "en") == "30 December 2021 – 2 January 2022"


def test_dates_follow_oslo_time_not_the_given_offset():
    utc = ZoneInfo("UTC")
    late = [SessionInfo("s1", "all", datetime(2021, 9, 21, 22, 30, tzinfo=utc), datetime(2021, 9, 21, 23, 0, tzinfo=utc))]
    assert rules.event_dates_text(late, "nb") == "22. september 2021"


def test_session_ending_at_midnight_stays_on_its_day():
    evening = [SessionInfo("s1", "all", at(22, 20), datetime(2021, 9, 23, 0, 0, tzinfo=OSLO))]
    assert rules.event_dates_text(evening, "en") == "22 September 2021"


def test_dates_need_a_session_time():
    with pytest.raises(ValueError):
        rules.event_dates_text([SessionInfo("s1")], "nb")


def test_wording_helpers():
    assert texts.format_date(date(2021, 10, 8), "nb") == "8. oktober 2021"
    assert texts.format_date(date(2021, 10, 8), "en") == "8 October 2021"
    assert texts.format_hours(16, "nb") == "Omfang: 16 timer"
    assert texts.format_hours(7.5, "nn") == "Omfang: 7,5 timar"
    assert texts.format_hours(1, "en") == "Duration: 1 hour"
    assert texts.format_hours(16.0, "en") == "Duration: 16 hours"
    assert texts.format_municipality("Ålesund", "nb") == "Ålesund kommune"
    assert texts.format_municipality("Ålesund kommune", "en") == "Ålesund kommune"
    assert texts.format_municipality("Ålesund", "en") == "Ålesund Municipality"
    assert texts.normalise_lang("en-GB") == "en"
    assert texts.normalise_lang("no") == "nb"
    assert texts.normalise_lang("de") == "nb"
    assert texts.normalise_lang(None) == "nb"


def test_every_language_has_every_text():
    keys = set(texts.TEXTS["nb"])
    for lang in texts.LANGUAGES:
        assert set(texts.TEXTS[lang]) == keys
    assert texts.TEXTS["nn"]["title"] == "Deltakarbevis"
    assert texts.TEXTS["nn"]["took_part"] == "har delteke i"


# Verification codes

CODE_SHAPE = re.compile(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}")


def test_codes_are_distinct_and_well_formed():
    generated = [codes.new_verification_code() for _ in range(1000)]
    assert len(set(generated)) == 1000
    for code in generated:
        assert CODE_SHAPE.fullmatch(code), code
        assert set(code.replace("-", "")) <= set(codes.ALPHABET)
        assert codes.normalise_code(code) == code


def test_codes_use_the_whole_alphabet_and_enough_bits():
    assert len(codes.ALPHABET) == 32 and len(set(codes.ALPHABET)) == 32
    assert not set("ILOU") & set(codes.ALPHABET)
    assert codes.CODE_LENGTH * 5 == codes.CODE_BITS >= 40
    seen = {ch for _ in range(300) for ch in codes.new_verification_code().replace("-", "")}
    assert seen == set(codes.ALPHABET)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7KQ3M-XW0DR", "7KQ3M-XW0DR"),
        ("7kq3m-xw0dr", "7KQ3M-XW0DR"),
        ("7KQ3MXW0DR", "7KQ3M-XW0DR"),
        ("  7kq3m xw0dr \n", "7KQ3M-XW0DR"),
        ("7KQ3M–XW0DR", "7KQ3M-XW0DR"),
        ("7KQ3M-XWODR", "7KQ3M-XW0DR"),
        ("7kq3m-xwodr", "7KQ3M-XW0DR"),
        ("IL000-00000", "11000-00000"),
        ("il000-00000", "11000-00000"),
        ("7KQ3M-XW0D", None),
        ("7KQ3M-XW0DRR", None),
        ("7KQ3M-XW0DU", None),
        ("7KQ3M_XW0DR", None),
        ("7KQ3M-XW0D!", None),
        ("", None),
        ("-" * 200, None),
        (None, None),
    ],
)
def test_normalise_code(typed, expected):
    assert codes.normalise_code(typed) == expected


def test_verification_url():
    assert (codes.verification_url("https://samling.example/", "7kq3m xw0dr")
            == "https://samling.example/certificates/verify/7KQ3M-XW0DR")
    assert (codes.verification_url("https://samling.example/certificates", "7KQ3M-XW0DR")
            == "https://samling.example/certificates/verify/7KQ3M-XW0DR")
    with pytest.raises(ValueError):
        codes.verification_url("https://samling.example", "nope")


# Certificate numbers


@pytest.mark.parametrize(
    ("event_id", "seq", "expected"),
    [
        ("klimakronsj-2021", 42, "KL21-0042"),
        ("klimakronsj-2021", 1, "KL21-0001"),
        ("klimakronsj-2021", 12345, "KL21-12345"),
        ("gronn-praksis-2022", 7, "GP22-0007"),
        ("grønn-praksis-2022", 7, "GP22-0007"),
        ("klimasamling-more-og-romsdal-2021", 3, "KMOR21-0003"),
        ("klimasats-forum", 10, "KF-0010"),
        ("2021", 10, "S21-0010"),
    ],
)
def test_certificate_number(event_id, seq, expected):
    assert codes.certificate_number(event_id, seq) == expected


@pytest.mark.parametrize("seq", [0, -1, 1.5, True, "4"])
def test_certificate_number_needs_positive_sequence(seq):
    with pytest.raises(ValueError):
        codes.certificate_number("klimakronsj-2021", seq)
