"""The message contracts: an envelope round-trips, consumers ignore unknown types and fields."""
from __future__ import annotations

import json

from samling.contracts import (MESSAGE_TYPES, ApplicationSubmitted, EmailRequested, Envelope, PersonErased,
                               envelope)
from samling.platform.consumer import consume, parse


def test_envelope_round_trips_with_its_typed_body():
    msg = envelope(PersonErased(participant_id="a1", email_hash="h"), event_id="e1")
    back = Envelope.model_validate_json(msg.model_dump_json())
    assert (back.type, back.version, back.event_id) == ("PersonErased", 1, "e1")
    assert back.body() == PersonErased(participant_id="a1", email_hash="h")
    assert back.occurred_at.tzinfo is not None


def test_every_required_message_type_exists():
    required = {"ApplicationSubmitted", "ParticipantConfirmed", "ParticipantWithdrawn", "PersonErased",
                "EventConfigured", "EmailRequested", "GroupsFormed", "PairingsMade", "AttendanceRecorded",
                "CertificateIssued"}
    assert required <= set(MESSAGE_TYPES)


def test_unknown_types_and_fields_are_ignored():
    raw = {"id": "m1", "type": "SomethingNew", "version": 3, "occurred_at": "2021-06-01T10:00:00+02:00",
           "event_id": None, "data": {"x": 1}, "extra": True}
    assert Envelope.model_validate(raw).body() is None
    known = {**raw, "type": "ApplicationSubmitted",
             "data": {"application_id": "a", "name": "N", "email": "n@kommune.example", "status": "submitted",
                      "future_field": [1, 2]}}
    body = Envelope.model_validate(known).body()
    assert isinstance(body, ApplicationSubmitted) and body.application_id == "a"


def test_consumer_unwraps_sns_notifications_and_reports_only_failed_records():
    good = envelope(EmailRequested(key="k", to="a@kommune.example", template="withdrawn"), event_id="e")
    wrapped = {"Type": "Notification", "Message": good.model_dump_json()}
    seen = []

    def handle(env):
        if env.type != "EmailRequested":
            raise ValueError("boom")
        seen.append(env.id)

    event = {"Records": [{"messageId": "1", "body": json.dumps(wrapped)},
                         {"messageId": "2", "body": "not json"},
                         {"messageId": "3", "body": good.model_dump_json()}]}
    assert consume(event, handle) == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    assert seen == [good.id, good.id]
    assert parse({"body": json.dumps(wrapped)}).id == good.id
