"""Notifications over the platform's HTTP port: the receipt, the session reminder (once however
often the scheduler ticks), the organisers' outbox and broadcasts to every audience."""
from __future__ import annotations

import uuid

WINDOW = "2021-06-01T12:00:00+02:00"          # Klimakrønsj 2021's registration is open
BEFORE_S1 = "2021-09-21T10:00:00+02:00"       # 23 hours before session 1
FORUM_WINDOW = "2022-07-01T12:00:00+02:00"    # Klimasats forum 2022's registration is open


def applicant(email: str, municipality: str = "1508", **extra) -> dict:
    return {"name": "Åse Øvrebø-Ærlandsen", "email": email, "phone": "+47 900 00 000",
            "organisation_type": "kommune", "municipality": municipality, "role": "radgiver",
            "sector": "klima_miljo", "experience": "lite", "motivation": "Jeg vil lære og bidra.",
            "language": "nb", "consent": True, **extra}


def address(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:8]}@kommune.example"


def apply(api, event_id: str, email: str, **extra) -> dict:
    r = api.post(f"/registration/events/{event_id}/applications", json=applicant(email, **extra))
    assert r.status_code == 201, r.text
    return r.json()


def reminders(api, email: str) -> list[dict]:
    return [m for m in api.outbox(email) if m["subject"].startswith("Påminnelse")]


def test_receipt_then_one_session_reminder_however_often_the_scheduler_ticks(api, new_event):
    event = new_event("klimakronsj-2021", registration__mode="first_come")
    api.clock(WINDOW)
    email = address("kari")
    created = apply(api, event["id"], email)
    assert created["status"] == "confirmed"
    api.drain()
    mails = api.outbox(email)
    # the confirmation (with the calendar) carries the manage link too; the receipt has no attachment
    receipt = [m for m in mails if created["token"] in m["text"] and not m["attachments"]]
    assert len(receipt) == 1 and "Klimakrønsj 2021" in receipt[0]["subject"]
    confirmation = [m for m in mails if m["attachments"] == ["invitasjon.ics"]]
    assert len(confirmation) == 1
    assert reminders(api, email) == []

    api.clock(BEFORE_S1)
    assert "notifications.reminders" in api.post("/_local/tick").json()["fired"]
    api.drain()
    sent = reminders(api, email)
    assert len(sent) == 1
    assert "Økt 1" in sent[0]["subject"] and "https://example.invalid/klimakronsj-2021" in sent[0]["text"]

    api.post("/_local/tick")
    api.drain()
    api.post("/_local/tick")
    api.post("/_local/tick")
    api.drain()
    assert len(reminders(api, email)) == 1


def test_the_outbox_lists_what_was_sent_to_organisers_only(api, new_event):
    event = new_event("klimakronsj-2021", registration__mode="first_come")
    api.clock(WINDOW)
    email = address("ola")
    apply(api, event["id"], email)
    api.drain()

    assert api.get(f"/notifications/events/{event['id']}/outbox").status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert api.get(f"/notifications/events/{event['id']}/outbox", headers=wrong).status_code == 401

    r = api.get(f"/notifications/events/{event['id']}/outbox", organiser=True)
    assert r.status_code == 200
    rows = r.json()
    assert {row["template"] for row in rows} == {"application_received", "confirmed"}
    for row in rows:
        assert {"recipient", "template", "subject", "time", "status"} <= set(row)
        assert row["recipient"] == email and row["status"] == "sent"
        assert row["time"].startswith("2021-06-01T12:00:00")
    subjects = {m["subject"] for m in api.outbox(email)}
    assert {row["subject"] for row in rows} == subjects

    assert api.get("/notifications/events/no-such-event/outbox", organiser=True).status_code == 404


def test_a_broadcast_reaches_every_confirmed_participant_once(api, new_event):
    event = new_event("klimakronsj-2021", registration__mode="first_come", registration__capacity=2)
    api.clock(WINDOW)
    confirmed = [address("deltaker1"), address("deltaker2")]
    waiting = address("venteliste")
    for email in confirmed + [waiting]:
        apply(api, event["id"], email)
    api.drain()

    message = {"audience": "participants", "subject": "Praktisk informasjon",
               "body": "Hei alle sammen!\n\nHusk å teste lenken før første økt."}
    r = api.post(f"/notifications/events/{event['id']}/broadcast", organiser=True, json=message)
    assert r.status_code == 200, r.text
    assert r.json()["recipients"] == 2
    api.drain()
    # the organiser pressed send twice
    assert api.post(f"/notifications/events/{event['id']}/broadcast", organiser=True, json=message).status_code == 200
    api.drain()

    for email in confirmed:
        got = [m for m in api.outbox(email) if m["subject"] == "Praktisk informasjon"]
        assert len(got) == 1
        assert "Husk å teste lenken før første økt." in got[0]["text"]
    assert [m for m in api.outbox(waiting) if m["subject"] == "Praktisk informasjon"] == []
    listed = api.get(f"/notifications/events/{event['id']}/outbox", organiser=True).json()
    assert sum(row["template"] == "broadcast" for row in listed) == 2


def test_a_broadcast_to_one_theme(api, new_event):
    event = new_event("klimasats-forum-2022")
    api.clock(FORUM_WINDOW)
    food, circular = address("mat"), address("sirkular")
    apply(api, event["id"], food, municipality="1508", theme="matsvinn")
    apply(api, event["id"], circular, municipality="0301", theme="sirkularokonomi")
    api.drain()

    message = {"audience": "theme:matsvinn", "subject": "Til matsvinngruppa", "body": "Ta med en matboks."}
    r = api.post(f"/notifications/events/{event['id']}/broadcast", organiser=True, json=message)
    assert r.status_code == 200, r.text
    assert r.json()["recipients"] == 1
    api.drain()
    assert [m["subject"] for m in api.outbox(food) if m["subject"] == "Til matsvinngruppa"] == ["Til matsvinngruppa"]
    assert [m for m in api.outbox(circular) if m["subject"] == "Til matsvinngruppa"] == []

    r = api.post(f"/notifications/events/{event['id']}/broadcast", organiser=True,
                 json={**message, "audience": "theme:finnes-ikke"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "validation_error" and "audience" in r.json()["error"]["fields"]


def test_a_broadcast_to_one_group(api, new_event):
    event = new_event("klimakronsj-2021", registration__mode="first_come")
    api.clock(WINDOW)
    municipalities = ["1508", "0301", "4601"]
    people = {apply(api, event["id"], address(f"gruppe{i}"), municipality=m)["id"]: None
              for i, m in enumerate(municipalities)}
    api.drain()
    r = api.post(f"/matching/events/{event['id']}/groups", organiser=True,
                 json={"facilitators": [{"name": "Per Fasilitator", "email": address("fasilitator")}]})
    assert r.status_code in (200, 201), r.text
    groups = r.json()["groups"]
    assert len(groups) == 1 and set(groups[0]["members"]) == set(people)
    api.drain()

    message = {"audience": f"group:{groups[0]['id']}", "subject": "Til gruppa di", "body": "Vi møtes i rom 2."}
    r = api.post(f"/notifications/events/{event['id']}/broadcast", organiser=True, json=message)
    assert r.status_code == 200, r.text
    assert r.json()["recipients"] == 3
    api.drain()
    listed = api.get(f"/notifications/events/{event['id']}/outbox", organiser=True).json()
    to_group = [row for row in listed if row["subject"] == "Til gruppa di"]
    assert len(to_group) == 3 and len({row["recipient"] for row in to_group}) == 3

    r = api.post(f"/notifications/events/{event['id']}/broadcast", organiser=True,
                 json={**message, "audience": "group:nope"})
    assert r.status_code == 422 and "audience" in r.json()["error"]["fields"]


def test_a_bad_broadcast_is_refused_field_by_field(api, new_event):
    event = new_event("klimakronsj-2021", registration__mode="first_come")
    api.drain()
    path = f"/notifications/events/{event['id']}/broadcast"
    assert api.post(path, json={"audience": "participants", "subject": "x", "body": "y"}).status_code == 401

    r = api.post(path, organiser=True, json={"audience": "everyone", "subject": "Hei", "body": "Tekst"})
    assert r.status_code == 422
    assert set(r.json()["error"]["fields"]) == {"audience"}

    r = api.post(path, organiser=True, json={"audience": 7, "subject": "x" * 201, "body": ""})
    assert r.status_code == 422
    assert set(r.json()["error"]["fields"]) == {"audience", "subject", "body"}

    r = api.post(path, organiser=True, json={"subject": "Hei", "body": "Tekst"}, headers={"Accept-Language": "en"})
    assert r.status_code == 422
    assert r.json()["error"]["fields"]["audience"].startswith("Choose the recipients")

    r = api.post(path, organiser=True, data=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"

    r = api.post("/notifications/events/no-such-event/broadcast", organiser=True,
                 json={"audience": "participants", "subject": "Hei", "body": "Tekst"})
    assert r.status_code == 404
