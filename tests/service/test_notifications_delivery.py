"""Notifications on moto, through its own handler objects: one mail per request whatever the
queue does (duplicates, partial failures, crashes after sending, throttling, poison messages),
reminders once and never late, the calendar invitation, and erasure."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from samling.contracts import (EmailRequested, EventConfigured, Participant, ParticipantConfirmed,
                               ParticipantStatusChanged, ParticipantWithdrawn, PersonErased, envelope)
from samling.notifications import handlers
from samling.notifications.mailer import Mailer, send_with_backoff
from samling.platform import aws, clock, settings

SESSION_START = "2031-03-12T09:00:00+01:00"
SESSION_END = "2031-03-12T12:00:00+01:00"


# --- helpers ------------------------------------------------------------------------------
def unique(prefix: str = "p") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def address(name: str = "kari") -> str:
    return f"{name}.{uuid.uuid4().hex[:8]}@kommune.example"


def record(env, message_id: str | None = None) -> dict:
    body = env if isinstance(env, str) else env.model_dump_json()
    return {"messageId": message_id or uuid.uuid4().hex, "receiptHandle": uuid.uuid4().hex,
            "body": body, "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
            "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-north-1:123456789012:samling-local-notifications",
            "awsRegion": "eu-north-1"}


def on_message(platform, *records: dict) -> dict:
    return platform.services["notifications"].module.on_message({"Records": list(records)}, None)


def mail_request(to: str, *, key: str | None = None, template: str = "broadcast", **extra) -> EmailRequested:
    context = {"name": "Kari Nordmann", "event_title": "Klimaforum 2031", "organiser": "Miljødirektoratet",
               "subject": "Praktisk informasjon", "body": "Vi ses i Ålesund."}
    return EmailRequested(key=key or unique("mail:"), to=to, template=template, language="nb",
                          context={**context, **extra.pop("context", {})}, **extra)


def raw_mails_to(to: str) -> list[bytes]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from samling.notifications.mime import parse_message

    backend = ses_backends[DEFAULT_ACCOUNT_ID][settings.region()]
    found = []
    for message in backend.sent_messages:
        raw = getattr(message, "raw_data", None)
        if raw is None:
            continue
        raw = raw.encode("utf-8") if isinstance(raw, str) else raw
        if parse_message(raw)["to"] == to:
            found.append(raw)
    return found


def mails_to(to: str) -> list[dict]:
    from samling.local.outbox import sent_mails

    return [m for m in sent_mails() if m["to"] == to]


def ledger_entry(key: str) -> dict | None:
    from samling.platform.dynamo import Table

    return Table("notifications").get("LEDGER#" + key, "CLAIM")


def throttling():
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded."}},
                       "SendRawEmail")


def real_send(raw: bytes, to: str) -> str:
    from samling.notifications.mailer import _ses_send

    return _ses_send(raw, to)


@pytest.fixture
def frozen():
    """Freeze the clock for one test and always give it back."""
    yield clock.freeze
    clock.unfreeze()


@pytest.fixture
def use_mailer(monkeypatch):
    """Put a mailer with injected SES behaviour behind the queue handler for one test."""
    def install(mailer: Mailer) -> Mailer:
        monkeypatch.setattr(handlers, "_mailer", mailer)
        return mailer

    return install


# --- one mail per message ----------------------------------------------------------------
def test_the_same_request_delivered_three_times_in_one_batch_sends_one_mail(platform):
    to = address()
    env = envelope(mail_request(to), event_id="ev-dup")
    result = on_message(platform, record(env), record(env), record(env))
    assert result == {"batchItemFailures": []}
    assert len(mails_to(to)) == 1


def test_the_same_request_across_batches_sends_one_mail(platform):
    to = address()
    env = envelope(mail_request(to), event_id="ev-dup")
    for _ in range(3):
        assert on_message(platform, record(env)) == {"batchItemFailures": []}
    assert len(mails_to(to)) == 1
    assert ledger_entry(env.data["key"])["state"] == "done"


@pytest.mark.parametrize("crash_in", ["outbox", "done"])
def test_a_crash_after_ses_accepted_the_mail_does_not_send_it_again(platform, use_mailer, monkeypatch, crash_in):
    to, event_id = address(), unique("ev-crash-")
    mailer = use_mailer(Mailer())
    env = envelope(mail_request(to), event_id=event_id)
    key = env.data["key"]

    def crash(*args, **kwargs):
        raise ConnectionError("the process died here")

    if crash_in == "outbox":
        original_put = mailer.table.put

        def put(pk, sk, doc, **kw):
            if pk.startswith("OUTBOX#"):
                crash()
            return original_put(pk, sk, doc, **kw)

        monkeypatch.setattr(mailer.table, "put", put)
    else:
        monkeypatch.setattr(mailer.ledger, "done", crash)

    first = record(env)
    assert on_message(platform, first) == {"batchItemFailures": [{"itemIdentifier": first["messageId"]}]}
    assert len(mails_to(to)) == 1
    assert ledger_entry(key)["state"] == "sent"  # SES's answer was written down before anything else

    monkeypatch.undo()
    use_mailer(mailer)
    assert on_message(platform, record(env)) == {"batchItemFailures": []}
    assert len(mails_to(to)) == 1
    assert ledger_entry(key)["state"] == "done"
    listed = [m for m in handlers.outbox(event_id, "nb") if m["recipient"] == to]
    assert len(listed) == 1 and listed[0]["status"] == "sent"


def test_a_fresh_claim_held_by_another_attempt_is_retried_not_acknowledged(platform):
    from samling.platform.consumer import Ledger

    to = address()
    env = envelope(mail_request(to), event_id="ev-busy")
    assert Ledger("notifications").claim(env.data["key"])  # as if another worker were sending it
    rec = record(env)
    assert on_message(platform, rec) == {"batchItemFailures": [{"itemIdentifier": rec["messageId"]}]}
    assert mails_to(to) == []


# --- partial batch failure --------------------------------------------------------------
def test_only_the_bad_records_of_a_batch_are_reported(platform):
    good = [address(f"god{i}") for i in range(3)]
    goods = [record(envelope(mail_request(to), event_id="ev-batch")) for to in good]
    malformed = record("{this is not json")
    not_an_envelope = record(json.dumps({"type": "EmailRequested"}))
    unknown_kind = record(envelope(mail_request(address("ukjent"), template="no_such_kind"), event_id="ev-batch"))
    batch = [goods[0], malformed, goods[1], not_an_envelope, unknown_kind, goods[2]]
    result = on_message(platform, *batch)
    assert sorted(f["itemIdentifier"] for f in result["batchItemFailures"]) == sorted(
        r["messageId"] for r in (malformed, not_an_envelope, unknown_kind))
    for to in good:
        assert len(mails_to(to)) == 1
    # the failed one gave its claim back, so a retry can still send it once fixed
    assert ledger_entry(json.loads(unknown_kind["body"])["data"]["key"]) is None


def test_a_poison_message_ends_in_the_dead_letter_queue_and_the_drain_finishes(platform):
    import os

    sqs = aws.client("sqs")
    poison = json.dumps({"poison": unique()})
    sqs.send_message(QueueUrl=settings.queue_url("notifications"), MessageBody=poison)
    counts = platform.drain(timeout=60)
    assert counts["notifications"] >= 5  # received and failed five times
    dlq = os.environ["SAMLING_NOTIFICATIONS_DLQ_URL"]
    bodies = []
    for _ in range(10):
        got = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                  AttributeNames=["All"]).get("Messages", [])
        bodies += [m for m in got if m["Body"] == poison]
        if bodies or not got:
            break
    assert len(bodies) == 1
    assert int(bodies[0]["Attributes"]["ApproximateReceiveCount"]) >= 5
    depth = sqs.get_queue_attributes(QueueUrl=settings.queue_url("notifications"),
                                     AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert depth["ApproximateNumberOfMessages"] == "0"
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=bodies[0]["ReceiptHandle"])


# --- SES throttling ---------------------------------------------------------------------
def test_throttling_is_retried_with_growing_waits_and_the_mail_is_sent_once(platform, use_mailer):
    to, calls, waits = address(), [], []

    def flaky(raw: bytes, dest: str) -> str:
        calls.append(dest)
        if len(calls) <= 2:
            raise throttling()
        return real_send(raw, dest)

    use_mailer(Mailer(ses_send=flaky, sleep=waits.append))
    assert on_message(platform, record(envelope(mail_request(to), event_id="ev-thr"))) == {"batchItemFailures": []}
    assert calls == [to, to, to]
    assert len(waits) == 2 and 0 < waits[0] and waits[0] <= 0.2 < waits[1] <= 0.4
    assert len(mails_to(to)) == 1


def test_persistent_throttling_goes_back_to_the_queue_and_the_retry_sends(platform, use_mailer):
    to, waits = address(), []

    def always_throttled(raw: bytes, dest: str) -> str:
        raise throttling()

    use_mailer(Mailer(ses_send=always_throttled, sleep=waits.append))
    env = envelope(mail_request(to), event_id="ev-thr")
    rec = record(env)
    assert on_message(platform, rec) == {"batchItemFailures": [{"itemIdentifier": rec["messageId"]}]}
    assert len(waits) == 5 and mails_to(to) == []
    assert ledger_entry(env.data["key"]) is None

    use_mailer(Mailer(sleep=waits.append))
    assert on_message(platform, record(env)) == {"batchItemFailures": []}
    assert len(mails_to(to)) == 1


def test_errors_other_than_throttling_are_not_retried_in_place():
    from botocore.exceptions import ClientError

    calls = []

    def rejected():
        calls.append(1)
        raise ClientError({"Error": {"Code": "MessageRejected", "Message": "Email address is not verified."}},
                          "SendRawEmail")

    with pytest.raises(ClientError):
        send_with_backoff(rejected, sleep=lambda s: None)
    assert calls == [1]


# --- reminders --------------------------------------------------------------------------
def event_doc(event_id: str, hours_before: list[int], **extra) -> dict:
    return {"id": event_id, "title": {"nb": "Klimaforum 2031", "en": "Climate forum 2031"},
            "organiser": "Miljødirektoratet", "languages": ["nb", "en"], "venue": None, "themes": [],
            "sessions": [{"id": "s1", "title": {"nb": "Økt 1", "en": "Session 1"}, "start": SESSION_START,
                          "end": SESSION_END, "mode": "digital", "audience": "all", "theme": None,
                          "join_url": "https://example.invalid/forum"}],
            "registration": {"deadline": "2031-01-31T23:59:59+01:00"},
            "reminders": {"session_hours_before": hours_before}, **extra}


def person(status: str, **extra) -> Participant:
    return Participant(id=unique("a"), name="Ola Nordmann", email=address("ola"), language="nb",
                       status=status, municipality="1508", **extra)


def set_up(platform, event: dict, people: list[Participant], at: datetime) -> None:
    envs = [envelope(EventConfigured(event=event), event_id=event["id"], occurred_at=at)]
    for p in people:
        envs.append(envelope(ParticipantStatusChanged(participant=p), event_id=event["id"], occurred_at=at))
    assert on_message(platform, *[record(e) for e in envs]) == {"batchItemFailures": []}


def reminders_to(to: str) -> list[dict]:
    return [m for m in mails_to(to) if m["subject"].startswith("Påminnelse")]


def test_session_reminders_go_once_to_confirmed_people_only(platform, frozen):
    start = datetime.fromisoformat(SESSION_START)
    event = event_doc(unique("ev-rem-"), [24])
    confirmed, withdrawn, not_selected, waiting = (person("confirmed"), person("confirmed"),
                                                   person("not_selected"), person("waitlisted"))
    set_up(platform, event, [confirmed, withdrawn, not_selected, waiting], start - timedelta(days=30))
    later = envelope(ParticipantWithdrawn(participant_id=withdrawn.id), event_id=event["id"],
                     occurred_at=start - timedelta(days=2))
    assert on_message(platform, record(later)) == {"batchItemFailures": []}

    frozen(start - timedelta(hours=23))
    for _ in range(3):  # a tick fired again before and after the queue has been worked off
        handlers.send_due_reminders()
    platform.drain()
    handlers.send_due_reminders()
    frozen(start - timedelta(hours=22))
    handlers.send_due_reminders()
    platform.drain()

    assert len(reminders_to(confirmed.email)) == 1
    assert "Økt 1" in reminders_to(confirmed.email)[0]["subject"]
    for nobody in (withdrawn, not_selected, waiting):
        assert mails_to(nobody.email) == []


def test_an_old_message_does_not_undo_a_withdrawal(platform, frozen):
    start = datetime.fromisoformat(SESSION_START)
    event = event_doc(unique("ev-order-"), [24])
    someone = person("confirmed")
    set_up(platform, event, [], start - timedelta(days=30))
    withdrawn = envelope(ParticipantWithdrawn(participant_id=someone.id), event_id=event["id"],
                         occurred_at=start - timedelta(days=5))
    stale = envelope(ParticipantConfirmed(participant=someone), event_id=event["id"],
                     occurred_at=start - timedelta(days=10))
    # the confirmation first creates the person, then the withdrawal and a redelivered confirmation
    first = envelope(ParticipantConfirmed(participant=someone), event_id=event["id"],
                     occurred_at=start - timedelta(days=10))
    assert on_message(platform, record(first), record(withdrawn), record(stale)) == {"batchItemFailures": []}
    frozen(start - timedelta(hours=23))
    handlers.send_due_reminders()
    platform.drain()
    assert mails_to(someone.email) == []


def test_a_reminder_more_than_a_day_late_is_not_sent(platform, frozen):
    start = datetime.fromisoformat(SESSION_START)
    event = event_doc(unique("ev-late-"), [72])
    someone = person("confirmed")
    set_up(platform, event, [someone], start - timedelta(days=30))
    frozen(start - timedelta(hours=72) + timedelta(hours=25))  # the tick came back after downtime
    assert handlers.send_due_reminders() == {"queued": 0}
    platform.drain()
    assert mails_to(someone.email) == []


def test_a_reminder_still_queued_a_day_after_its_moment_is_dropped(platform, frozen):
    start = datetime.fromisoformat(SESSION_START)
    event = event_doc(unique("ev-stale-"), [72])
    someone = person("confirmed")
    set_up(platform, event, [someone], start - timedelta(days=30))
    frozen(start - timedelta(hours=72) + timedelta(hours=23))
    assert handlers.send_due_reminders()["queued"] >= 1
    frozen(start - timedelta(hours=72) + timedelta(hours=25))  # the queue was stuck until now
    platform.drain()
    assert mails_to(someone.email) == []
    frozen(start - timedelta(hours=72) + timedelta(hours=26))
    handlers.send_due_reminders()
    platform.drain()
    assert mails_to(someone.email) == []


# --- the calendar invitation ------------------------------------------------------------
def test_the_confirmation_carries_a_calendar_invitation_with_the_right_utc_times(platform):
    import icalendar

    from samling.notifications.mime import attachment_bytes

    to, pid = address("ics"), unique("a")
    sessions = [{"id": "s1", "title": "Økt 1", "start": "2031-03-12T09:00:00+01:00",
                 "end": "2031-03-12T12:00:00+01:00", "join_url": "https://example.invalid/forum", "venue": None},
                {"id": "s2", "title": "Økt 2", "start": "2031-04-02T09:00:00+02:00",
                 "end": "2031-04-02T12:00:00+02:00", "join_url": None, "venue": "Ålesund rådhus"}]
    mail = EmailRequested(
        key=f"confirmed:{pid}", to=to, template="confirmed", language="nb", participant_id=pid,
        context={"name": "Kari Nordmann", "event_title": "Klimaforum 2031", "organiser": "Miljødirektoratet",
                 "sessions": sessions, "manage_url": "http://127.0.0.1/manage",
                 "calendar": {"event_id": "ev-ics", "participant_id": pid, "event_title": "Klimaforum 2031",
                              "organiser": "Miljødirektoratet",
                              "sessions": [{**s, "location": s["venue"]} for s in sessions]}})
    assert on_message(platform, record(envelope(mail, event_id="ev-ics"))) == {"batchItemFailures": []}
    [parsed] = mails_to(to)
    assert parsed["attachments"] == ["invitasjon.ics"]
    [raw] = raw_mails_to(to)
    cal = icalendar.Calendar.from_ical(attachment_bytes(raw, "invitasjon.ics"))
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"ev-ics-s1-{pid}@samling", f"ev-ics-s2-{pid}@samling"}
    s1, s2 = events[f"ev-ics-s1-{pid}@samling"], events[f"ev-ics-s2-{pid}@samling"]
    assert s1.decoded("dtstart").astimezone(UTC) == datetime(2031, 3, 12, 8, tzinfo=UTC)   # winter time
    assert s1.decoded("dtend").astimezone(UTC) == datetime(2031, 3, 12, 11, tzinfo=UTC)
    assert s2.decoded("dtstart").astimezone(UTC) == datetime(2031, 4, 2, 7, tzinfo=UTC)    # summer time
    assert str(s2["location"]) == "Ålesund rådhus"


# --- erasure ----------------------------------------------------------------------------
def test_erasure_removes_the_address_from_every_record_and_keeps_the_counts(platform):
    from samling.platform.dynamo import Table

    event_id, someone, other = unique("ev-erase-"), person("confirmed"), person("confirmed")
    set_up(platform, event_doc(event_id, [24]), [someone, other], datetime(2031, 1, 1, tzinfo=UTC))
    for p in (someone, other):
        for n in range(2):
            mail = mail_request(p.email, key=f"erase-test:{event_id}:{p.id}:{n}", participant_id=p.id)
            assert on_message(platform, record(envelope(mail, event_id=event_id))) == {"batchItemFailures": []}
    before = handlers.outbox(event_id, "nb")
    assert len(before) == 4

    erased = envelope(PersonErased(participant_id=someone.id), event_id=event_id)
    assert on_message(platform, record(erased), record(erased)) == {"batchItemFailures": []}

    after = handlers.outbox(event_id, "nb")
    assert len(after) == 4
    assert sum(m["recipient"] is None for m in after) == 2
    assert sum(m["recipient"] == other.email for m in after) == 2
    table = Table("notifications")
    items = aws.client("dynamodb").get_paginator("scan").paginate(TableName=table.name)
    for page in items:
        for item in page["Items"]:
            assert someone.email not in json.dumps(item, ensure_ascii=False), item["pk"]

    # a mail still queued for them, or a late message about them, changes nothing
    late_mail = mail_request(someone.email, key=f"erase-test:{event_id}:late", participant_id=someone.id)
    late_status = envelope(ParticipantConfirmed(participant=someone), event_id=event_id,
                           occurred_at=datetime(2031, 2, 1, tzinfo=UTC))
    assert on_message(platform, record(envelope(late_mail, event_id=event_id)), record(late_status)) == {
        "batchItemFailures": []}
    assert len(mails_to(someone.email)) == 2  # the two sent before erasure, nothing since
    assert someone.id not in {p["id"] for p in handlers.Projection().participants(event_id)}
