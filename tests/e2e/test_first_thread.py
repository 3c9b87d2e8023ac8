"""The first thread through everything, over the platform's HTTP port: an application is
accepted by registration, ApplicationSubmitted crosses the topic and queues, notifications
sends the receipt through SES, and the local outbox shows it."""
from __future__ import annotations


def applicant(email: str, **extra) -> dict:
    return {"name": "Åse Øvrebø-Ærlandsen", "email": email, "phone": "+47 900 00 000",
            "organisation_type": "kommune", "municipality": "1508", "role": "radgiver",
            "sector": "klima_miljo", "experience": "lite", "motivation": "Jeg vil lære og bidra.",
            "language": "nb", "consent": True, **extra}


def test_every_service_answers_health(api):
    assert api.get("/_local/health").json() == {"ok": True}
    for name in ("registration", "notifications", "certificates", "matching"):
        assert api.get(f"/{name}/health").json() == {"ok": True, "service": name}


def test_seed_events_are_loaded(api):
    ids = {e["id"] for e in api.get("/registration/events").json()}
    assert {"klimakronsj-2021", "klimasamling-more-og-romsdal-2021", "klimasats-forum-2022",
            "gronn-praksis-2022"} <= ids


def test_application_gets_a_receipt_through_the_queues(api, new_event):
    event = new_event("klimakronsj-2021")
    api.clock("2021-06-01T12:00:00+02:00")
    r = api.post(f"/registration/events/{event['id']}/applications", json=applicant("thread@kommune.example"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"id", "status", "token"} and body["status"] == "submitted"
    assert api.outbox("thread@kommune.example") == []  # nothing is sent before the queues run
    counts = api.drain()
    assert counts["queues"]["notifications"] >= 1
    mails = api.outbox("thread@kommune.example")
    assert len(mails) == 1
    assert "Klimakrønsj 2021" in mails[0]["subject"]
    assert body["token"] in mails[0]["text"]  # the manage link carries the secret


def test_unknown_paths_answer_404_in_the_contract_shape(api):
    r = api.get("/registration/no/such/route")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert api.get("/nowhere").status_code == 404
