from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from samling.notifications.reminders import (
    DueReminder,
    EventSchedule,
    Invitee,
    Recipient,
    ReminderPolicy,
    SessionSlot,
    due_reminders,
)

OSLO = ZoneInfo("Europe/Oslo")
DEADLINE = datetime(2021, 6, 21, 23, 59, 59, tzinfo=OSLO)
S1 = datetime(2021, 9, 22, 9, tzinfo=OSLO)
S2 = datetime(2021, 9, 23, 9, tzinfo=OSLO)
EXPIRES = datetime(2021, 7, 1, 12, tzinfo=OSLO)

CONFIG = {
    "id": "k21",
    "registration": {"deadline": "2021-06-21T23:59:59+02:00"},
    "sessions": [
        {"id": "s1", "start": "2021-09-22T09:00:00+02:00", "audience": "all"},
        {"id": "lead", "start": "2021-09-23T09:00:00+02:00", "audience": "leaders"},
    ],
    "reminders": {"deadline_days_before": [7, 1], "session_hours_before": [24],
                  "offer_days_before_expiry": [2]},
}
EVENT = EventSchedule.from_config(CONFIG)


def person(pid, status="confirmed", **kw):
    return Recipient(id=pid, event_id="k21", email=f"{pid}@kommune.example", language="nb",
                     status=status, **kw)


def run(now, people=(), invitees=(), applied=None, events=(EVENT,), **kw):
    return due_reminders(now, list(events), list(people), list(invitees), applied or {}, **kw)


def kinds(result):
    return sorted((r.kind, r.recipient_id or r.email, r.session_id, r.offset) for r in result)


INVITEES = [Invitee("k21", "post@alesund.kommune.example", "1508"),
            Invitee("k21", "post@oslo.kommune.example", "0301", "en")]


def test_config_is_read_as_the_http_contract_gives_it():
    assert EVENT.deadline == DEADLINE
    assert EVENT.sessions == (SessionSlot("s1", S1, "all"), SessionSlot("lead", S2, "leaders"))
    assert EVENT.reminders == ReminderPolicy((7, 1), (24,), (2,))
    assert EventSchedule.from_config({"id": "x"}).reminders == ReminderPolicy()


def test_deadline_reminder_due_at_its_moment_not_before():
    moment = DEADLINE - timedelta(days=7)
    assert run(moment - timedelta(seconds=1), invitees=INVITEES) == []
    due = run(moment, invitees=INVITEES)
    assert kinds(due) == [("deadline_reminder", "post@alesund.kommune.example", None, "7d"),
                          ("deadline_reminder", "post@oslo.kommune.example", None, "7d")]
    assert {r.language for r in due} == {"nb", "en"}
    assert {r.municipality for r in due} == {"1508", "0301"}
    assert all(r.moment == moment and r.target_time == DEADLINE for r in due)


def test_not_sent_more_than_a_day_late():
    moment = DEADLINE - timedelta(days=7)
    assert len(run(moment + timedelta(days=1), invitees=INVITEES)) == 2
    assert run(moment + timedelta(days=1, seconds=1), invitees=INVITEES) == []
    assert len(run(moment + timedelta(hours=30), invitees=INVITEES,
                   max_lateness=timedelta(hours=36))) == 2


def test_key_is_stable_across_ticks_so_the_ledger_sends_once():
    moment = DEADLINE - timedelta(days=1)
    first = run(moment + timedelta(minutes=1), invitees=INVITEES)
    second = run(moment + timedelta(hours=5), invitees=INVITEES)
    assert [r.key for r in first] == [r.key for r in second]
    assert first[0].key == ("reminder:k21:deadline_reminder:deadline@20210621T215959Z:1d:"
                            "post@alesund.kommune.example")
    sent = {r.key for r in first}
    ticks = [moment + timedelta(minutes=m) for m in range(0, 24 * 60, 15)]
    new = [r for t in ticks for r in run(t, invitees=INVITEES) if r.key not in sent]
    assert new == []


def test_invitees_whose_municipality_applied_get_none():
    due = run(DEADLINE - timedelta(days=1), invitees=INVITEES, applied={"k21": {"1508"}})
    assert [r.email for r in due] == ["post@oslo.kommune.example"]
    assert run(DEADLINE - timedelta(days=1), invitees=INVITEES,
               applied={"k21": {"1508", "0301"}}) == []
    # Another event's applications do not count.
    assert len(run(DEADLINE - timedelta(days=1), invitees=INVITEES,
                   applied={"other": {"1508", "0301"}})) == 2


def test_the_same_invitee_twice_gets_one_reminder():
    twice = INVITEES + [Invitee("k21", "POST@alesund.kommune.example ", "1508")]
    assert len(run(DEADLINE - timedelta(days=1), invitees=twice)) == 2


def test_no_deadline_reminder_after_the_deadline():
    generous = timedelta(days=3)  # lateness alone would still allow it
    assert len(run(DEADLINE - timedelta(hours=1), invitees=INVITEES, max_lateness=generous)) == 2
    assert run(DEADLINE, invitees=INVITEES, max_lateness=generous) == []
    assert run(DEADLINE + timedelta(hours=1), invitees=INVITEES, max_lateness=generous) == []


def test_session_reminder_only_to_confirmed():
    people = [person(p, status) for p, status in [
        ("a", "confirmed"), ("b", "withdrawn"), ("c", "not_selected"), ("d", "waitlisted"),
        ("e", "declined"), ("f", "expired"), ("g", "submitted"), ("h", "offered")]]
    due = run(S1 - timedelta(hours=24), people)
    assert kinds(due) == [("session_reminder", "a", "s1", "24h")]
    assert due[0].key == "reminder:k21:session_reminder:s1@20210922T070000Z:24h:a"
    assert run(S1 - timedelta(hours=24, seconds=1), people) == []


def test_leaders_only_sessions_go_to_leaders():
    people = [person("leader", is_leader=True), person("staff")]
    at = S2 - timedelta(hours=24)
    assert kinds(run(at, people)) == [("session_reminder", "leader", "lead", "24h")]


def test_only_the_sessions_a_person_chose():
    people = [person("chose-none", sessions=frozenset()), person("chose-s1", sessions={"s1"}),
              person("chose-lead", sessions={"lead"})]  # not a leader: the choice is not open
    assert kinds(run(S1 - timedelta(hours=20), people)) == [
        ("session_reminder", "chose-s1", "s1", "24h")]
    assert run(S2 - timedelta(hours=20), people) == []


def test_no_session_reminder_once_it_started():
    policy = ReminderPolicy(session_hours_before=(2,))
    event = EventSchedule("k21", None, (SessionSlot("s1", S1),), policy)
    assert len(run(S1 - timedelta(minutes=1), [person("a")], events=[event])) == 1
    assert run(S1, [person("a")], events=[event]) == []


def test_offer_reminder_to_offered_only():
    people = [person("o", "offered", offer_expires_at=EXPIRES),
              person("c", "confirmed", offer_expires_at=EXPIRES),
              person("d", "declined", offer_expires_at=EXPIRES),
              person("x", "offered")]  # no expiry known: nothing to remind of
    moment = EXPIRES - timedelta(days=2)
    assert run(moment - timedelta(seconds=1), people) == []
    due = run(moment, people)
    assert kinds(due) == [("offer_reminder", "o", None, "2d")]
    assert due[0].key == "reminder:k21:offer_reminder:offer@20210701T100000Z:2d:o"
    assert run(moment + timedelta(days=1, seconds=1), people) == []


def test_a_new_offer_gets_a_new_key():
    moment = EXPIRES - timedelta(days=2)
    old = run(moment, [person("o", "offered", offer_expires_at=EXPIRES)])
    later = EXPIRES + timedelta(days=10)
    new = run(later - timedelta(days=2), [person("o", "offered", offer_expires_at=later)])
    assert old[0].key != new[0].key


def test_overlapping_offsets_send_only_the_nearest():
    policy = ReminderPolicy(session_hours_before=(24, 2))
    event = EventSchedule("k21", None, (SessionSlot("s1", S1),), policy)
    assert kinds(run(S1 - timedelta(hours=23), [person("a")], events=[event])) == [
        ("session_reminder", "a", "s1", "24h")]
    assert kinds(run(S1 - timedelta(hours=1), [person("a")], events=[event])) == [
        ("session_reminder", "a", "s1", "2h")]


def test_people_of_other_events_are_left_alone():
    stranger = Recipient("z", "other", "z@kommune.example", "nb", "confirmed")
    assert run(S1 - timedelta(hours=24), [stranger]) == []


def test_result_is_ordered_and_typed():
    people = [person("b"), person("a")]
    due = run(S1 - timedelta(hours=24), people)
    assert [r.recipient_id for r in due] == ["a", "b"]
    assert all(isinstance(r, DueReminder) for r in due)


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        run(datetime(2021, 6, 20, 12))


def test_works_with_now_in_utc():
    now = (DEADLINE - timedelta(days=1)).astimezone(UTC)
    assert len(run(now, invitees=INVITEES)) == 2
