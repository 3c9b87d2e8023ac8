"""The Certificates section of the contract over the platform's HTTP port: attendance per
session, who earns a certificate, the PDF itself (its text, its download link), the public
check, the one mail per certificate, and erasure."""
from __future__ import annotations

import io
import re
import uuid

import pytest

from samling.certificates.codes import certificate_number

OPEN = "2021-06-01T12:00:00+02:00"
MR_OPEN = "2021-08-20T12:00:00+02:00"
ISSUE_DAY = "2021-10-08T10:00:00+02:00"
SUBJECT_PREFIXES = ("Deltakerbeviset ditt", "Deltakarbeviset ditt", "Your certificate of participation")
LINK = re.compile(r"(/certificates/certificates/([0-9a-z]+)\.pdf)\?token=([A-Za-z0-9_\-]+)")


def email(tag: str = "c") -> str:
    return f"{tag}.{uuid.uuid4().hex[:10]}@kommune.example"


def person(**extra) -> dict:
    body = {"name": "Kari Nordmann", "email": email(), "organisation_type": "kommune",
            "municipality": "1508", "role": "radgiver", "sector": "klima_miljo", "experience": "lite",
            "motivation": "Jeg vil lære av andre kommuner.", "language": "nb", "consent": True}
    body.update(extra)
    return body


def register(api, event_id: str, *bodies: dict) -> list[dict]:
    out = []
    for body in bodies:
        r = api.post(f"/registration/events/{event_id}/applications", json=body)
        assert r.status_code == 201 and r.json()["status"] == "confirmed", r.text
        out.append({**body, **r.json()})
    api.drain()
    return out


def attend(api, event_id: str, session_id: str, *people: dict):
    return api.post(f"/certificates/events/{event_id}/attendance", organiser=True,
                    json={"session_id": session_id, "participant_ids": [p["id"] for p in people]})


def issue(api, event_id: str) -> dict:
    r = api.post(f"/certificates/events/{event_id}/issue", organiser=True)
    assert r.status_code == 200, r.text
    return r.json()


def certificate_mails(api, to: str) -> list[dict]:
    return [m for m in api.outbox(to) if m["subject"].startswith(SUBJECT_PREFIXES)]


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def kronsj(api, new_event):
    event = new_event("klimakronsj-2021", registration__mode="first_come",
                      languages=["nb", "nn", "en"])
    api.clock(OPEN)
    return event


def test_three_of_four_sessions_earn_a_certificate_and_two_do_not(api, kronsj):
    ase, kari, eve = register(api, kronsj["id"],
                              person(name="Åse Øvrebø-Ærlandsen"), person(),
                              person(name="Eve Lindqvist", language="en", municipality="0301"))
    for session, people in {"s1": (ase, kari, eve), "s2": (ase, kari, eve), "s3": (ase, eve),
                            "s4": (eve,)}.items():
        r = attend(api, kronsj["id"], session, *people)
        assert r.status_code == 200, r.text
        assert r.json()["session_id"] == session
        assert sorted(r.json()["recorded"]) == sorted(p["id"] for p in people)
    api.drain()

    api.clock(ISSUE_DAY)
    out = issue(api, kronsj["id"])
    assert {c["participant_id"] for c in out["issued"]} == {ase["id"], eve["id"]}
    assert (out["already"], out["not_qualified"]) == (0, 1)
    numbers = [certificate_number(kronsj["id"], n) for n in (1, 2)]
    assert sorted(c["number"] for c in out["issued"]) == numbers and numbers[0].endswith("21-0001")

    listed = api.get(f"/certificates/events/{kronsj['id']}/certificates", organiser=True).json()
    mine = next(c for c in listed if c["participant_id"] == ase["id"])
    assert mine["name"] == "Åse Øvrebø-Ærlandsen" and mine["issued"] == "2021-10-08"
    assert {c["participant_id"] for c in listed} == {ase["id"], eve["id"]}
    assert mine["url"].endswith(f"/certificates/certificates/{mine['id']}.pdf")

    api.drain()
    [mail] = certificate_mails(api, ase["email"])
    assert certificate_mails(api, kari["email"]) == []
    path, cert_id, token = LINK.search(mail["text"]).groups()
    assert cert_id == mine["id"] and mine["code"] in mail["text"]

    r = api.get(path, params={"token": token})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-") and r.content.rstrip().endswith(b"%%EOF")
    text = pdf_text(r.content)
    assert "Åse Øvrebø-Ærlandsen" in text
    assert "Klimakrønsj 2021" in text and "Ålesund" in text and "Deltakerbevis" in text
    assert mine["code"] in text and mine["number"] in text
    assert flat(f"{api.base}/certificates/verify/{mine['code']}") in flat(text)

    # The English participant gets the English certificate and mail.
    [eve_mail] = certificate_mails(api, eve["email"])
    assert eve_mail["subject"].startswith("Your certificate of participation")
    eve_path, _, eve_token = LINK.search(eve_mail["text"]).groups()
    eve_text = pdf_text(api.get(eve_path, params={"token": eve_token}).content)
    assert "Certificate of participation" in eve_text and "Climate workshop 2021" in eve_text

    # The contract's way: the participant's own applicant token opens their certificate too,
    # and with the X-Application-Token header as well; another applicant's does not.
    own = api.get(f"/certificates/certificates/{mine['id']}.pdf", params={"token": ase["token"]})
    assert own.status_code == 200 and own.content == r.content
    header = api.get(f"/certificates/certificates/{mine['id']}.pdf", headers={"X-Application-Token": ase["token"]})
    assert header.status_code == 200
    assert api.get(path, params={"token": eve["token"]}).status_code == 404
    # Someone else's token, no token, a made-up id: all look the same.
    assert api.get(path, params={"token": eve_token}).status_code == 404
    assert api.get(path, params={"token": token[:-2] + "xx"}).status_code == 404
    assert api.get(path).status_code == 404
    assert api.get("/certificates/certificates/c0000deadbeef.pdf", params={"token": token}).status_code == 404
    # Organisers open the listed link with their own credentials.
    assert api.get(mine["url"].removeprefix(api.base), organiser=True).content == r.content


def test_issuing_again_creates_nothing_and_a_late_qualifier_gets_one(api, kronsj):
    first, late = register(api, kronsj["id"], person(name="Åse Øvrebø-Ærlandsen"), person(name="Per Sen"))
    for session in ("s1", "s2", "s3"):
        assert attend(api, kronsj["id"], session, first, late).status_code == 200
    api.clock(ISSUE_DAY)
    once = issue(api, kronsj["id"])
    assert len(once["issued"]) == 2
    # Recording the same attendance again changes nothing.
    again = attend(api, kronsj["id"], "s1", first, late).json()
    assert again["added"] == [] and sorted(again["attendance"]["s1"]) == sorted([first["id"], late["id"]])
    twice = issue(api, kronsj["id"])
    assert twice == {"issued": [], "already": 2, "not_qualified": 0, "remaining": 0}
    listed = api.get(f"/certificates/events/{kronsj['id']}/certificates", organiser=True).json()
    assert sorted(c["id"] for c in listed) == sorted(c["id"] for c in once["issued"])
    api.drain()
    assert len(certificate_mails(api, first["email"])) == 1

    # Someone confirmed later who reaches the threshold gets a certificate on the next run.
    api.clock(OPEN)
    [newcomer] = register(api, kronsj["id"], person(name="Nils Nykommer"))
    for session in ("s2", "s3", "s4"):
        assert attend(api, kronsj["id"], session, newcomer).status_code == 200
    third = issue(api, kronsj["id"])
    assert [c["participant_id"] for c in third["issued"]] == [newcomer["id"]]
    assert third["already"] == 2 and third["issued"][0]["number"] == certificate_number(kronsj["id"], 3)
    api.drain()
    assert len(certificate_mails(api, first["email"])) == 1
    assert len(certificate_mails(api, newcomer["email"])) == 1


def test_verify_answers_json_and_html_and_refuses_unknown_codes(api, kronsj):
    [ase] = register(api, kronsj["id"], person(name="Åse Øvrebø-Ærlandsen", language="nn"))
    for session in ("s1", "s2", "s3", "s4"):
        attend(api, kronsj["id"], session, ase)
    api.clock(ISSUE_DAY)
    [cert] = issue(api, kronsj["id"])["issued"]

    r = api.get(f"/certificates/verify/{cert['code']}")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    # Klimakrønsj has no nynorsk title, so the certificate carries the bokmål one.
    assert r.json() == {"valid": True, "name": "Åse Øvrebø-Ærlandsen", "event": "Klimakrønsj 2021",
                        "issued": "2021-10-08"}
    typed = cert["code"].lower().replace("-", " ")
    assert api.get(f"/certificates/verify/{typed}").json()["valid"] is True

    for unknown in ("00000-00000", "not-a-code", "%3Cscript%3E"):
        r = api.get(f"/certificates/verify/{unknown}")
        assert r.status_code == 200 and r.json() == {"valid": False}

    browser = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
    page = api.get(f"/certificates/verify/{cert['code']}", headers={**browser, "Accept-Language": "en-GB,en;q=0.9"})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "This certificate is genuine" in page.text and "Åse Øvrebø-Ærlandsen" in page.text
    assert "8 October 2021" in page.text and cert["code"] in page.text
    nn = api.get(f"/certificates/verify/{cert['code']}", headers=browser, params={"lang": "nn"})
    assert "Beviset er ekte" in nn.text and "Utferda" in nn.text and 'lang="nn"' in nn.text
    missing = api.get("/certificates/verify/00000-00000", headers=browser)
    assert missing.status_code == 200 and "Fant ikke beviset" in missing.text
    assert "Åse" not in missing.text


def test_leaders_only_sessions_do_not_count_against_others(api, new_event):
    event = new_event("klimasamling-more-og-romsdal-2021",
                      certificate={"min_attendance": 0.8, "hours": 7.5, "signer": "Fylkesdirektør"})
    api.clock(MR_OPEN)
    staff, mayor, director = register(
        api, event["id"], person(name="Åse Øvrebø-Ærlandsen", language="nn"),
        person(name="Ordfører Olsen", role="ordforer", municipality="1520"),
        person(name="Dina Direktør", role="kommunedirektor", municipality="1505"))

    refused = attend(api, event["id"], "toppleiarforum", mayor, staff)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "validation_error" and staff["id"] in error["fields"]["participant_ids"]
    assert mayor["id"] not in error["fields"]["participant_ids"]
    assert attend(api, event["id"], "toppleiarforum", director).json()["attendance"]["toppleiarforum"] == [director["id"]]

    for session in ("opning", "verkstader", "dag2"):
        assert attend(api, event["id"], session, staff, mayor).status_code == 200
    assert attend(api, event["id"], "opning", director).status_code == 200
    api.clock(ISSUE_DAY)
    out = issue(api, event["id"])
    # staff: 3 of the 3 open to them; mayor: 3 of 4 < 0.8; director: 2 of 4.
    assert [c["participant_id"] for c in out["issued"]] == [staff["id"]]
    assert out["not_qualified"] == 2
    api.drain()
    [mail] = certificate_mails(api, staff["email"])
    assert mail["subject"].startswith("Deltakarbeviset ditt")
    path, _, token = LINK.search(mail["text"]).groups()
    text = pdf_text(api.get(path, params={"token": token}).content)
    assert "Deltakarbevis" in text
    assert flat("Klimasamling for kommunane i Møre og Romsdal 2021") in flat(text)
    assert "7,5 timar" in text and "Fylkesdirektør" in text


def test_attendance_checks_its_input_and_the_event(api, kronsj):
    [ase] = register(api, kronsj["id"], person(name="Åse Øvrebø-Ærlandsen"))
    path = f"/certificates/events/{kronsj['id']}/attendance"
    r = api.post(path, organiser=True, json={"session_id": "s9", "participant_ids": [ase["id"]]})
    assert r.status_code == 422 and "session_id" in r.json()["error"]["fields"]
    r = api.post(path, organiser=True, json={"session_id": "s1", "participant_ids": "all"})
    assert r.status_code == 422 and "participant_ids" in r.json()["error"]["fields"]
    r = api.post(path, organiser=True, json={"session_id": "s1", "participant_ids": [ase["id"], "a-stranger"]})
    assert r.status_code == 422 and "a-stranger" in r.json()["error"]["fields"]["participant_ids"]
    # all or nothing: the valid id in the refused request was not recorded
    ok = api.post(path, organiser=True, json={"session_id": "s1", "participant_ids": []}).json()
    assert ok["attendance"]["s1"] == []
    assert api.post(path, organiser=True, data=b"{not json").status_code == 400
    missing = api.post("/certificates/events/no-such-event/attendance", organiser=True,
                       json={"session_id": "s1", "participant_ids": []})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert api.post("/certificates/events/no-such-event/issue", organiser=True).status_code == 404
    assert api.get("/certificates/events/no-such-event/certificates", organiser=True).status_code == 404


def test_organiser_routes_need_the_organiser(api, kronsj):
    base = f"/certificates/events/{kronsj['id']}"
    for r in (api.post(f"{base}/attendance", json={"session_id": "s1", "participant_ids": []}),
              api.post(f"{base}/issue"),
              api.get(f"{base}/certificates"),
              api.post(f"{base}/issue", headers={"Authorization": "Bearer not-the-token"})):
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_an_event_without_certificates_refuses_to_issue(api, new_event):
    event = new_event("klimasamling-more-og-romsdal-2021")
    api.drain()
    r = api.post(f"/certificates/events/{event['id']}/issue", organiser=True)
    assert r.status_code == 409 and r.json()["error"]["code"] == "state_conflict"


def test_erasure_removes_the_pdf_and_the_verification(api, kronsj):
    ase, kari = register(api, kronsj["id"], person(name="Åse Øvrebø-Ærlandsen"), person())
    for session in ("s1", "s2", "s3"):
        attend(api, kronsj["id"], session, ase, kari)
    api.clock(ISSUE_DAY)
    issued = {c["participant_id"]: c for c in issue(api, kronsj["id"])["issued"]}
    api.drain()
    path, _, token = LINK.search(certificate_mails(api, ase["email"])[0]["text"]).groups()
    assert api.get(path, params={"token": token}).status_code == 200

    r = api.delete(f"/registration/applications/{ase['id']}", params={"token": ase["token"]})
    assert r.status_code == 200, r.text
    api.drain()
    assert api.get(path, params={"token": token}).status_code == 404
    assert api.get(f"/certificates/verify/{issued[ase['id']]['code']}").json() == {"valid": False}
    listed = api.get(f"/certificates/events/{kronsj['id']}/certificates", organiser=True).json()
    assert [c["participant_id"] for c in listed] == [kari["id"]]
    assert "Åse" not in str(listed)
    assert api.get(f"/certificates/verify/{issued[kari['id']]['code']}").json()["valid"] is True
