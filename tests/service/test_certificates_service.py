"""The certificates service's use cases on moto, fed with crafted messages: what is stored
where (encrypted PDF, code, only a token's hash), all-or-nothing attendance, and recovery from a
run that died half-way."""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from urllib.parse import parse_qs, urlparse

import pytest

from samling.contracts import (EventConfigured, Participant, ParticipantConfirmed, PersonErased,
                               ParticipantWithdrawn, envelope)
from samling.platform import aws, clock, ids, settings
from samling.platform.errors import ApiError

ISSUE_DAY = datetime.fromisoformat("2021-10-08T10:00:00+02:00")
ORGANISER = "Bearer test-organiser-token"


@pytest.fixture
def svc(platform, monkeypatch):
    """The service module with its outgoing messages captured instead of sent."""
    from samling.certificates import service

    sent: dict[str, list] = {"published": [], "mails": []}
    monkeypatch.setattr(service.bus, "publish", lambda message, event_id: sent["published"].append(message))
    monkeypatch.setattr(service.bus, "request_email", lambda mail, event_id: sent["mails"].append(mail))
    service.sent = sent
    clock.freeze(ISSUE_DAY)
    yield service
    clock.unfreeze()
    del service.sent


def make_event(svc, *, sessions=None, certificate=None) -> str:
    event_id = f"testsamling-2021-{uuid.uuid4().hex[:8]}"
    event = {
        "id": event_id, "title": {"nb": "Testsamling 2021", "en": "Test gathering 2021"},
        "organiser": "Miljødirektoratet", "languages": ["nb", "en"],
        "sessions": sessions or [
            {"id": f"s{i}", "audience": "all", "start": f"2021-09-2{i}T09:00:00+02:00",
             "end": f"2021-09-2{i}T13:00:00+02:00"} for i in range(1, 5)],
        "certificate": {"min_attendance": 0.75, "hours": 16, "signer": "Seksjonsleder"}
        if certificate is None else certificate,
    }
    svc.handle(envelope(EventConfigured(event=event), event_id=event_id))
    return event_id


def confirm(svc, event_id: str, name: str = "Åse Øvrebø-Ærlandsen", **extra) -> str:
    pid = ids.new_id("a")
    person = {"id": pid, "name": name, "email": f"{pid}@kommune.example", "status": "confirmed",
              "municipality": "1508", "role": "radgiver", **extra}
    svc.handle(envelope(ParticipantConfirmed(participant=Participant(**person)), event_id=event_id))
    return pid


def attend(svc, event_id: str, pid: str, *sessions: str) -> None:
    for session in sessions:
        svc.record_attendance(event_id, {"session_id": session, "participant_ids": [pid]}, "nb")


def token_of(mail) -> str:
    return parse_qs(urlparse(mail.context["download_url"]).query)["token"][0]


def test_attendance_is_all_or_nothing_and_recording_again_changes_nothing(svc):
    event_id = make_event(svc, sessions=[{"id": "s1", "audience": "all"}, {"id": "lead", "audience": "leaders"}])
    staff = confirm(svc, event_id)
    mayor = confirm(svc, event_id, name="Ola Ordfører", role="ordforer", is_leader=True)
    gone = confirm(svc, event_id, name="Vera Vekk")
    svc.handle(envelope(ParticipantWithdrawn(participant_id=gone), event_id=event_id))

    out = svc.record_attendance(event_id, {"session_id": "s1", "participant_ids": [staff, mayor, staff]}, "nb")
    assert out["recorded"] == [staff, mayor] and out["added"] == [staff, mayor]
    assert out["attendance"] == {"s1": sorted([staff, mayor]), "lead": []}
    [published] = svc.sent["published"]
    assert published.session_id == "s1" and published.participant_ids == [staff, mayor]

    again = svc.record_attendance(event_id, {"session_id": "s1", "participant_ids": [mayor]}, "nb")
    assert again["added"] == [] and len(svc.sent["published"]) == 1

    with pytest.raises(ApiError) as refused:
        svc.record_attendance(event_id, {"session_id": "lead", "participant_ids": [mayor, staff, gone]}, "en")
    assert refused.value.code == "validation_error"
    message = refused.value.fields["participant_ids"]
    assert staff in message and gone in message and mayor not in message
    assert svc.record_attendance(event_id, {"session_id": "lead", "participant_ids": []}, "nb")["attendance"]["lead"] == []

    for bad, field in (({"session_id": "nope", "participant_ids": []}, "session_id"),
                       ({"participant_ids": []}, "session_id"),
                       ({"session_id": "s1", "participant_ids": [1, 2]}, "participant_ids"),
                       ({"session_id": "s1"}, "participant_ids")):
        with pytest.raises(ApiError) as caught:
            svc.record_attendance(event_id, bad, "nn")
        assert caught.value.status == 422 and field in caught.value.fields
    with pytest.raises(ApiError) as caught:
        svc.record_attendance(event_id, ["s1"], "nb")
    assert caught.value.status == 422
    with pytest.raises(ApiError) as caught:
        svc.record_attendance("no-such-event", {"session_id": "s1", "participant_ids": []}, "nb")
    assert caught.value.code == "not_found"


def test_issuing_stores_an_encrypted_pdf_and_keeps_only_the_token_hash(svc):
    event_id = make_event(svc)
    pid = confirm(svc, event_id, language="en")
    short = confirm(svc, event_id, name="Kari Kort")
    attend(svc, event_id, pid, "s1", "s2", "s4")
    attend(svc, event_id, short, "s1", "s2")

    # The bucket encrypts by default too; the upload must ask for it itself all the same.
    uploads = []
    s3 = aws.client("s3")
    hook = lambda params, **_: uploads.append(dict(params))  # noqa: E731
    s3.meta.events.register("provide-client-params.s3.PutObject", hook)
    try:
        out = svc.issue(event_id, "nb")
    finally:
        s3.meta.events.unregister("provide-client-params.s3.PutObject", hook)
    assert out["already"] == 0 and out["not_qualified"] == 1
    [made] = out["issued"]
    assert made["participant_id"] == pid and made["number"].endswith("-0001")

    assert [(u["Key"], u["ServerSideEncryption"]) for u in uploads] == [
        (f"certificates/{event_id}/{made['id']}.pdf", "AES256")]
    head = s3.head_object(Bucket=settings.bucket(), Key=f"certificates/{event_id}/{made['id']}.pdf")
    assert head["ServerSideEncryption"] == "AES256" and head["ContentType"] == "application/pdf"

    [mail] = svc.sent["mails"]
    token = token_of(mail)
    assert mail.template == "certificate_issued" and mail.language == "en" and mail.to == f"{pid}@kommune.example"
    assert mail.context["code"] == made["code"] and mail.context["event_title"] == "Test gathering 2021"
    assert mail.context["verify_url"].endswith(f"/certificates/verify/{made['code']}")
    assert set(mail.context) >= {"name", "event_title", "organiser", "download_url", "verify_url", "code"}

    items = aws.client("dynamodb").scan(TableName=settings.table_name("certificates"))["Items"]
    dump = json.dumps(items, ensure_ascii=False)
    assert token not in dump and ids.hash_token(token) in dump
    code_item = [i for i in items if i["pk"]["S"] == f"CODE#{made['code']}"]
    assert len(code_item) == 1
    issued = [m for m in svc.sent["published"] if m.TYPE == "CertificateIssued"]
    assert [m.certificate_id for m in issued] == [made["id"]] and token not in issued[0].download_url

    pdf = svc.download(f"{made['id']}.pdf", token, None, "nb")
    assert pdf.body.startswith(b"%PDF") and pdf.filename == f"{made['number']}.pdf"
    assert svc.download(f"{made['id']}.pdf", None, ORGANISER, "nb").body == pdf.body
    for file_name, presented in ((f"{made['id']}.pdf", "wrong"), (f"{made['id']}.pdf", None),
                                 (made["id"], token), ("c123.pdf", token)):
        with pytest.raises(ApiError) as caught:
            svc.download(file_name, presented, None, "nb")
        assert caught.value.code == "not_found"

    assert svc.verify(made["code"], False, "nb") == {"valid": True, "name": "Åse Øvrebø-Ærlandsen",
                                                      "event": "Test gathering 2021", "issued": "2021-10-08"}
    assert svc.issue(event_id, "nb") == {"issued": [], "already": 1, "not_qualified": 1, "remaining": 0}
    assert len(svc.sent["mails"]) == 1


def test_a_taken_code_is_never_given_twice(svc, monkeypatch):
    event_id = make_event(svc)
    first, second = confirm(svc, event_id), confirm(svc, event_id, name="Per Persen")
    for pid in (first, second):
        attend(svc, event_id, pid, "s1", "s2", "s3", "s4")
    codes = iter(["AAAAA-AAAAA", "AAAAA-AAAAA", "BBBBB-BBBBB"])
    monkeypatch.setattr(svc.codes, "new_verification_code", lambda: next(codes))
    out = svc.issue(event_id, "nb")
    assert sorted(c["code"] for c in out["issued"]) == ["AAAAA-AAAAA", "BBBBB-BBBBB"]


def test_a_run_that_died_half_way_is_finished_by_the_next_with_the_same_number(svc, monkeypatch):
    event_id = make_event(svc)
    pid = confirm(svc, event_id)
    attend(svc, event_id, pid, "s1", "s2", "s3")
    store_type = type(svc.store())
    real_put = store_type.put_pdf

    def broken(self, *args):
        raise ConnectionError("S3 went away")

    monkeypatch.setattr(store_type, "put_pdf", broken)
    with pytest.raises(ConnectionError):
        svc.issue(event_id, "nb")
    pending, _ = svc.store().certificate_of(event_id, pid)
    assert pending["status"] == "pending" and svc.verify(pending["code"], False, "nb") == {"valid": False}
    # A fresh claim is left alone: that run may still be working.
    monkeypatch.setattr(store_type, "put_pdf", real_put)
    assert svc.issue(event_id, "nb") == {"issued": [], "already": 1, "not_qualified": 0, "remaining": 0}

    monkeypatch.setattr(svc, "STALE_CLAIM_SECONDS", 0)
    [made] = svc.issue(event_id, "nb")["issued"]
    assert (made["id"], made["number"], made["code"]) == (pending["id"], pending["number"], pending["code"])
    assert len(svc.sent["mails"]) == 1 and svc.verify(made["code"], False, "nb")["valid"] is True


def test_a_mail_lost_before_it_was_asked_for_is_asked_for_again_with_a_working_link(svc, monkeypatch):
    event_id = make_event(svc)
    pid = confirm(svc, event_id)
    attend(svc, event_id, pid, "s1", "s2", "s3")
    real = svc.bus.request_email

    def lost(mail, event_id):
        raise ConnectionError("SQS went away")

    monkeypatch.setattr(svc.bus, "request_email", lost)
    with pytest.raises(ConnectionError):
        svc.issue(event_id, "nb")
    monkeypatch.setattr(svc.bus, "request_email", real)
    out = svc.issue(event_id, "nb")
    assert out == {"issued": [], "already": 1, "not_qualified": 0, "remaining": 0}
    [mail] = svc.sent["mails"]
    cert, _ = svc.store().certificate_of(event_id, pid)
    assert cert["mailed"] is True
    assert svc.download(f"{cert['id']}.pdf", token_of(mail), None, "nb").body.startswith(b"%PDF")
    svc.issue(event_id, "nb")
    assert len(svc.sent["mails"]) == 1


def test_a_run_out_of_time_stops_drawing_and_the_next_goes_on(svc, monkeypatch):
    event_id = make_event(svc)
    people = [confirm(svc, event_id, name=f"Deltaker {i}") for i in range(3)]
    for pid in people:
        attend(svc, event_id, pid, "s1", "s2", "s3")
    monkeypatch.setattr(svc, "ISSUE_BUDGET_SECONDS", 0.0)
    runs = [svc.issue(event_id, "nb") for _ in range(4)]
    # Every run still makes progress: one certificate each until none is left.
    assert [len(r["issued"]) for r in runs] == [1, 1, 1, 0]
    assert [r["remaining"] for r in runs] == [2, 1, 0, 0]
    assert [r["already"] for r in runs] == [0, 1, 2, 3]
    assert sorted(c["participant_id"] for r in runs for c in r["issued"]) == sorted(people)


def test_the_verification_page_escapes_what_people_typed(svc):
    event_id = make_event(svc)
    pid = confirm(svc, event_id, name="<script>alert(1)</script> Ås")
    attend(svc, event_id, pid, "s1", "s2", "s3", "s4")
    [made] = svc.issue(event_id, "nb")["issued"]
    page = svc.verify(made["code"].lower(), True, "nn")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Ås" in page
    assert "Beviset er ekte" in page and "8. oktober 2021" in page
    assert "Certificate not found" in svc.verify("ZZZZZ-ZZZZZ", True, "en")


def test_erasure_deletes_the_pdf_the_code_and_the_attendance(svc):
    event_id = make_event(svc)
    pid, other = confirm(svc, event_id), confirm(svc, event_id, name="Kari Kvar")
    for person in (pid, other):
        attend(svc, event_id, person, "s1", "s2", "s3")
    made = {c["participant_id"]: c for c in svc.issue(event_id, "nb")["issued"]}
    key = f"certificates/{event_id}/{made[pid]['id']}.pdf"

    erased = envelope(PersonErased(participant_id=pid), event_id=event_id)
    svc.handle(erased)
    svc.handle(erased)  # a redelivery changes nothing more
    s3 = aws.client("s3")
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket=settings.bucket(), Key=key)
    assert svc.verify(made[pid]["code"], False, "nb") == {"valid": False}
    assert [c["participant_id"] for c in svc.listing(event_id, "nb")] == [other]
    assert pid not in svc.store().attendance(event_id) and other in svc.store().attendance(event_id)
    assert svc.projection().person(event_id, pid) is None
    assert svc.verify(made[other]["code"], False, "nb")["valid"] is True


def test_issuing_needs_a_known_event_with_certificate_rules(svc):
    with pytest.raises(ApiError) as caught:
        svc.issue("no-such-event", "nb")
    assert caught.value.code == "not_found"
    event_id = make_event(svc, certificate={})
    with pytest.raises(ApiError) as caught:
        svc.issue(event_id, "en")
    assert caught.value.code == "state_conflict" and "certificate" in caught.value.message


def test_loading_the_app_does_not_load_the_pdf_stack():
    """fpdf2 costs about half a second; only issuing should pay it, not every cold start."""
    import subprocess
    import sys
    from pathlib import Path

    app = Path(__file__).resolve().parents[2] / "services" / "certificates" / "app.py"
    script = ("import importlib.util, sys\n"
              f"spec = importlib.util.spec_from_file_location('certificates_app', {str(app)!r})\n"
              "module = importlib.util.module_from_spec(spec)\n"
              "sys.modules[spec.name] = module\n"
              "spec.loader.exec_module(module)\n"
              "assert module.app.app_name == 'samling-certificates'\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fpdf', 'qrcode', 'pypdf')\n"
              "             or m == 'samling.certificates.pdf'))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
