"""The Applications section of the contract, over the platform's HTTP port: events, applying,
the applicant's own routes, organiser routes, first come first served and the HTML form."""
from __future__ import annotations

import csv
import io
import itertools
import threading
import uuid

import pytest

OPEN = "2021-06-01T12:00:00+02:00"
DEADLINE = "2021-06-21T23:59:59+02:00"
AFTER = "2021-06-22T00:00:00+02:00"
_n = itertools.count(1)


def email(tag: str = "a") -> str:
    return f"{tag}.{next(_n)}.{uuid.uuid4().hex[:6]}@kommune.example"


def applicant(**extra) -> dict:
    body = {"name": "Åse Øvrebø-Ærlandsen", "email": email(), "phone": "+47 900 00 000",
            "organisation_type": "kommune", "municipality": "1508", "role": "radgiver",
            "sector": "klima_miljo", "experience": "lite", "motivation": "Jeg vil lære og bidra.",
            "language": "nb", "consent": True}
    body.update(extra)
    return body


def apply(api, event_id: str, body: dict, **kwargs):
    return api.post(f"/registration/events/{event_id}/applications", json=body, **kwargs)


def applied(api, event_id: str, **extra) -> dict:
    r = apply(api, event_id, applicant(**extra))
    assert r.status_code == 201, r.text
    return r.json()


def error_of(r) -> dict:
    return r.json()["error"]


@pytest.fixture
def kronsj(api, new_event):
    event = new_event("klimakronsj-2021")
    api.clock(OPEN)
    return event


# --- events ----------------------------------------------------------------------------------


def test_put_event_creates_then_replaces_and_needs_the_organiser(api, new_event):
    event = new_event("klimakronsj-2021")  # 201 is asserted by the fixture
    path = f"/registration/events/{event['id']}"
    changed = {**event, "organiser": "Statsforvalteren i Møre og Romsdal"}
    r = api.put(path, organiser=True, json=changed)
    assert r.status_code == 200, r.text
    assert api.get(path).json()["organiser"] == "Statsforvalteren i Møre og Romsdal"
    assert api.put(path, json=changed).status_code == 401
    wrong = api.put(path, json=changed, headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401 and error_of(wrong)["code"] == "unauthorized"


def test_bad_event_config_is_422_with_fields(api, new_event):
    event = new_event("klimakronsj-2021")
    broken = {**event, "registration": {**event["registration"], "deadline": "2021-04-01T00:00:00+02:00",
                                        "capacity": -3}}
    r = api.put(f"/registration/events/{event['id']}", organiser=True, json=broken)
    assert r.status_code == 422, r.text
    err = error_of(r)
    assert err["code"] == "validation_error" and err["fields"]
    assert any(k.startswith("registration") for k in err["fields"])
    mismatch = api.put(f"/registration/events/{event['id']}-other", organiser=True, json=event)
    assert mismatch.status_code == 422 and "id" in error_of(mismatch)["fields"]


def test_public_event_view_hides_emails_and_join_links(api, new_event):
    event = new_event("klimasats-forum-2022")
    public = api.get(f"/registration/events/{event['id']}").json()
    text = str(public)
    assert "@" not in text and "join_url" not in text and "example.invalid" not in text
    assert public["themes"][0]["leader"]["name"] == event["themes"][0]["leader"]["name"]
    listed = {e["id"]: e for e in api.get("/registration/events").json()}
    assert event["id"] in listed and "@" not in str(listed[event["id"]])
    assert "example.invalid" not in str(listed)
    missing = api.get("/registration/events/no-such-event")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"


# --- applying ----------------------------------------------------------------------------------


def test_apply_then_same_email_updates_the_same_application(api, kronsj):
    body = applicant()
    first = apply(api, kronsj["id"], body)
    assert first.status_code == 201
    created = first.json()
    assert set(created) == {"id", "status", "token"} and created["status"] == "submitted"
    again = apply(api, kronsj["id"], {**body, "email": body["email"].upper(), "experience": "mye"})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == created["id"] and "token" not in again.json()
    listed = api.get(f"/registration/events/{kronsj['id']}/applications", organiser=True).json()
    assert [a["id"] for a in listed] == [created["id"]]
    own = api.get(f"/registration/applications/{created['id']}?token={created['token']}")
    assert own.status_code == 200 and own.json()["experience"] == "mye"
    assert "token_hash" not in own.json()


def test_the_window_opens_and_closes_to_the_second(api, kronsj):
    api.clock("2021-04-30T23:59:59+02:00")
    r = apply(api, kronsj["id"], applicant())
    assert r.status_code == 409 and error_of(r)["code"] == "registration_not_open"
    api.clock(DEADLINE)
    assert apply(api, kronsj["id"], applicant()).status_code == 201
    api.clock(AFTER)
    r = apply(api, kronsj["id"], applicant())
    assert r.status_code == 409 and error_of(r)["code"] == "registration_closed"


@pytest.mark.parametrize("seed, extra, words", [
    ("klimakronsj-2021", {"organisation_type": "naeringsliv", "municipality": None,
                          "organisation": "Grønn Bedrift AS"}, "kommuner"),
    ("klimasamling-more-og-romsdal-2021", {"municipality": "0301", "language": "nb"}, "Møre og Romsdal"),
    ("klimasats-forum-2022", {"municipality": "1515", "theme": "matsvinn"}, "Herøy"),
    ("klimasamling-more-og-romsdal-2021", {"sessions": ["toppleiarforum"], "role": "radgiver",
                                           "language": "nb"}, ""),
    ("klimasats-forum-2022", {"theme": None}, ""),
])
def test_ineligible_applicants_get_422_with_the_reason(api, new_event, seed, extra, words):
    event = new_event(seed)
    api.clock(event["registration"]["opens"])
    r = apply(api, event["id"], applicant(**extra))
    assert r.status_code == 422, r.text
    err = error_of(r)
    assert err["code"] == "not_eligible" and err["message"]
    assert words in err["message"]


def test_validation_messages_follow_the_applicants_language(api, kronsj):
    nn = apply(api, kronsj["id"], applicant(email="not-an-email", language="nn"))
    nb = apply(api, kronsj["id"], applicant(email="not-an-email", language="nb"))
    assert nn.status_code == 422 and error_of(nn)["code"] == "validation_error"
    assert "email" in error_of(nn)["fields"]
    assert error_of(nn)["fields"]["email"] != error_of(nb)["fields"]["email"]
    body = applicant(email="not-an-email")
    del body["language"]
    en_query = apply(api, kronsj["id"], body, params={"lang": "en"})
    en_header = apply(api, kronsj["id"], body, headers={"Accept-Language": "en-GB,en;q=0.8"})
    en_message = error_of(en_query)["fields"]["email"]
    assert en_message == error_of(en_header)["fields"]["email"]
    assert en_message not in (error_of(nn)["fields"]["email"], error_of(nb)["fields"]["email"])
    assert "email" in en_message.lower()
    assert error_of(en_query)["message"] == error_of(en_header)["message"] != error_of(nb)["message"]


def test_old_municipality_number_names_the_new_one(api, kronsj):
    r = apply(api, kronsj["id"], applicant(municipality="3005"))
    assert r.status_code == 422
    assert "3301" in error_of(r)["fields"]["municipality"]


def test_too_large_and_malformed_bodies(api, kronsj):
    path = f"/registration/events/{kronsj['id']}/applications"
    big = api.post(path, json=applicant(motivation="x" * (65 * 1024)))
    assert big.status_code == 413 and error_of(big)["code"] == "payload_too_large"
    bad = api.post(path, data=b'{"name": "Kari",', headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and error_of(bad)["code"] == "bad_request"


# --- the applicant's own routes --------------------------------------------------------------------


def test_token_opens_only_its_own_application(api, kronsj):
    mine, other = applied(api, kronsj["id"]), applied(api, kronsj["id"])
    path = f"/registration/applications/{mine['id']}"
    assert api.get(path, params={"token": mine["token"]}).status_code == 200
    assert api.get(path, headers={"X-Application-Token": mine["token"]}).status_code == 200
    for token in ("wrong", other["token"], ""):
        r = api.get(path, params={"token": token})
        assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    assert api.get(path).status_code == 404
    assert api.get("/registration/applications/a-nope", params={"token": mine["token"]}).status_code == 404
    assert api.patch(path, params={"token": other["token"]}, json={"experience": "mye"}).status_code == 404
    assert api.post(f"{path}/withdraw", params={"token": other["token"]}).status_code == 404
    assert api.delete(path, params={"token": other["token"]}).status_code == 404
    assert api.get(path, params={"token": mine["token"]}).status_code == 200


def test_patch_before_and_after_the_deadline(api, kronsj):
    mine = applied(api, kronsj["id"])
    path = f"/registration/applications/{mine['id']}"
    headers = {"X-Application-Token": mine["token"]}
    r = api.patch(path, headers=headers, json={"experience": "noe", "municipality": "1577"})
    assert r.status_code == 200, r.text
    assert r.json()["experience"] == "noe" and r.json()["county"] == "15"
    bad = api.patch(path, headers=headers, json={"experience": "enormt"})
    assert bad.status_code == 422 and "experience" in error_of(bad)["fields"]
    api.clock(AFTER)
    late = api.patch(path, headers=headers, json={"experience": "mye"})
    assert late.status_code == 409 and error_of(late)["code"] == "registration_closed"
    assert api.get(path, headers=headers).json()["experience"] == "noe"


def test_withdraw_and_offer_without_an_offer(api, kronsj):
    mine = applied(api, kronsj["id"])
    path = f"/registration/applications/{mine['id']}"
    token = {"token": mine["token"]}
    r = api.post(f"{path}/offer", params=token, json={"accept": True})
    assert r.status_code == 409 and error_of(r)["code"] == "state_conflict"
    r = api.post(f"{path}/withdraw", params=token)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert api.post(f"{path}/withdraw", params=token).status_code == 409


def test_erasure_removes_the_person_everywhere(api, kronsj):
    body = applicant()
    mine = applied(api, kronsj["id"], email=body["email"])
    api.drain()
    outbox = api.get(f"/notifications/events/{kronsj['id']}/outbox", organiser=True)
    assert outbox.status_code == 200 and body["email"] in str(outbox.json())
    path = f"/registration/applications/{mine['id']}"
    r = api.delete(path, params={"token": mine["token"]})
    assert r.status_code == 200, r.text
    assert api.get(path, params={"token": mine["token"]}).status_code == 404
    api.drain()
    after = api.get(f"/notifications/events/{kronsj['id']}/outbox", organiser=True).json()
    assert body["email"] not in str(after)
    listed = api.get(f"/registration/events/{kronsj['id']}/applications", organiser=True).json()
    assert mine["id"] not in str(listed)
    # the address is free again: a new application is a new record
    again = apply(api, kronsj["id"], applicant(email=body["email"]))
    assert again.status_code == 201 and again.json()["id"] != mine["id"]


# --- organiser routes ----------------------------------------------------------------------------


def test_listing_filters_by_status_and_exports_csv(api, kronsj):
    keep = applied(api, kronsj["id"], name="Ærlend Østby-Åsheim", motivation="=SUM(A1)")
    gone = applied(api, kronsj["id"])
    api.post(f"/registration/applications/{gone['id']}/withdraw", params={"token": gone["token"]})
    path = f"/registration/events/{kronsj['id']}/applications"
    assert [a["id"] for a in api.get(path, organiser=True, params={"status": "submitted"}).json()] == [keep["id"]]
    assert [a["id"] for a in api.get(path, organiser=True, params={"status": "withdrawn"}).json()] == [gone["id"]]
    assert len(api.get(path, organiser=True).json()) == 2
    r = api.get(path, organiser=True, params={"format": "csv"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3 and len(rows[0]) > 5
    names = [row[rows[0].index("Navn")] for row in rows[1:]]
    assert "Ærlend Østby-Åsheim" in names
    motivation = [row[rows[0].index("Motivasjon")] for row in rows[1:] if "Ærlend" in ";".join(row)]
    assert motivation == ["'=SUM(A1)"]  # a spreadsheet must not run an applicant's text


@pytest.mark.parametrize("score", [0, 6, "3", True, None, 2.5])
def test_review_score_must_be_a_whole_number_from_1_to_5(api, kronsj, score):
    mine = applied(api, kronsj["id"])
    r = api.put(f"/registration/applications/{mine['id']}/review", organiser=True,
                json={"score": score, "note": "Sterk motivasjon"})
    assert r.status_code == 422 and "score" in error_of(r)["fields"]


def test_review_is_stored(api, kronsj):
    mine = applied(api, kronsj["id"])
    r = api.put(f"/registration/applications/{mine['id']}/review", organiser=True,
                json={"score": 5, "note": "Sterk motivasjon"})
    assert r.status_code == 200 and r.json()["review"]["score"] == 5
    assert api.put("/registration/applications/a-nope/review", organiser=True,
                   json={"score": 3}).status_code == 404


def test_invitations_mail_each_invitee(api, kronsj):
    invitees = [{"email": email("inv"), "municipality": "1508"}, {"email": email("inv"), "municipality": "4601"}]
    r = api.post(f"/registration/events/{kronsj['id']}/invitations", organiser=True, json={"invitees": invitees})
    assert r.status_code == 200, r.text
    api.drain()
    for invitee in invitees:
        mails = api.outbox(invitee["email"])
        assert len(mails) == 1 and "/form" in mails[0]["text"]
    bad = api.post(f"/registration/events/{kronsj['id']}/invitations", organiser=True,
                   json={"invitees": [{"email": "nope"}]})
    assert bad.status_code == 422


def test_every_organiser_route_needs_the_token(api, kronsj):
    mine = applied(api, kronsj["id"])
    e, a = kronsj["id"], mine["id"]
    routes = [("get", f"/registration/events/{e}/applications", None),
              ("get", f"/registration/events/{e}/applications?format=csv", None),
              ("put", f"/registration/applications/{a}/review", {"score": 3}),
              ("post", f"/registration/events/{e}/invitations", {"invitees": [{"email": "x@kommune.example"}]}),
              ("post", f"/registration/events/{e}/selection", None),
              ("get", f"/registration/events/{e}/selection", None),
              ("put", f"/registration/events/{e}", kronsj),
              ("get", f"/notifications/events/{e}/outbox", None)]
    for method, path, body in routes:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "test-organiser-token"}):
            r = getattr(api, method)(path, json=body, headers=headers)
            assert r.status_code == 401, (method, path, headers, r.text)
            assert error_of(r)["code"] == "unauthorized"


# --- first come, first served --------------------------------------------------------------------


@pytest.fixture
def small_first_come(api, new_event):
    event = new_event("klimasamling-more-og-romsdal-2021", registration__capacity=2)
    api.clock("2021-08-01T12:00:00+02:00")
    return event


def test_first_come_confirms_to_capacity_then_waitlists_and_promotes(api, small_first_come):
    e = small_first_come["id"]
    got = [applied(api, e, municipality="1577", language="nn") for _ in range(4)]
    assert [g["status"] for g in got] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    r = api.post(f"/registration/applications/{got[0]['id']}/withdraw", params={"token": got[0]["token"]})
    assert r.status_code == 200
    status = lambda g: api.get(f"/registration/applications/{g['id']}", params={"token": g["token"]}).json()["status"]
    assert [status(g) for g in got] == ["withdrawn", "confirmed", "confirmed", "waitlisted"]
    api.drain()
    promoted = api.outbox(api.get(f"/registration/applications/{got[2]['id']}",
                                  params={"token": got[2]["token"]}).json()["email"])
    assert len(promoted) == 2  # the receipt saying waitlisted, then the confirmation


def test_two_at_once_for_the_last_place_are_not_both_confirmed(api, new_event):
    event = new_event("klimasamling-more-og-romsdal-2021", registration__capacity=1)
    api.clock("2021-08-01T12:00:00+02:00")
    answers, barrier = [], threading.Barrier(2)

    def go():
        body = applicant(municipality="1508", language="nn")
        barrier.wait()
        answers.append(apply(api, event["id"], body))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in answers) == [201, 201]
    assert sorted(r.json()["status"] for r in answers) == ["confirmed", "waitlisted"]


# --- the HTML form -------------------------------------------------------------------------------


def test_form_in_nynorsk_with_the_municipality_picker(api, kronsj):
    r = api.get(f"/registration/events/{kronsj['id']}/form", params={"lang": "nn"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    page = r.text
    assert 'lang="nn"' in page and "Fullt namn" in page and "Kvar jobbar du?" in page
    assert "1508 Ålesund" in page and "0301 Oslo" in page and 'list="municipality-list"' in page


def form_fields(**extra) -> dict:
    fields = {"name": "Kåre Ødegård", "email": email("form"), "organisation_type": "kommune",
              "municipality": "Ålesund", "role": "radgiver", "sector": "plan", "experience": "noe",
              "motivation": "Eg vil lære.", "consent": "on", "language": "nn"}
    fields.update(extra)
    return fields


def test_posting_the_form_gives_a_receipt(api, kronsj):
    fields = form_fields()
    r = api.post(f"/registration/events/{kronsj['id']}/form?lang=nn", data=fields)
    assert r.status_code == 200, r.text
    assert "Takk for påmeldinga!" in r.text and fields["email"] in r.text
    listed = api.get(f"/registration/events/{kronsj['id']}/applications", organiser=True).json()
    assert [(a["email"], a["municipality"], a["language"]) for a in listed] == [(fields["email"], "1508", "nn")]


def test_a_bad_email_gives_the_form_again_with_the_message(api, kronsj):
    r = api.post(f"/registration/events/{kronsj['id']}/form?lang=nn", data=form_fields(email="ikkje-ei-adresse"))
    assert r.status_code == 422
    assert "<form" in r.text and 'id="email-error"' in r.text and "Kåre Ødegård" in r.text
    assert api.get(f"/registration/events/{kronsj['id']}/applications", organiser=True).json() == []


def test_html_in_answers_is_kept_as_text_and_escaped_on_pages(api, kronsj):
    mine = applied(api, kronsj["id"], name="Kari <script>alert(1)</script>",
                   motivation="<img src=x onerror=alert(1)>")
    own = api.get(f"/registration/applications/{mine['id']}", params={"token": mine["token"]}).json()
    assert own["motivation"] == "<img src=x onerror=alert(1)>"
    page = api.get(f"/registration/applications/{mine['id']}/manage", params={"token": mine["token"]})
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "Kari &lt;script&gt;alert(1)&lt;/script&gt;" in page.text
