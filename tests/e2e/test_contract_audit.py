"""The HTTP contract (API.md) read line by line and checked over HTTP only, as an outside test
author holding nothing but that page would: routes, field names, status and error codes, the
conventions (error shape, languages, auth, ids, body limit, times, municipality numbers) and the
local runtime routes. The seed events are only read; everything that changes state runs on
fresh copies."""
from __future__ import annotations

import itertools
import re
import uuid
from datetime import datetime, timedelta

import pytest

SERVICES = ("registration", "matching", "certificates", "notifications")
SEEDS = ("klimakronsj-2021", "klimasamling-more-og-romsdal-2021", "klimasats-forum-2022",
         "gronn-praksis-2022")
KK = "klimakronsj-2021"
KK_OPEN = "2021-06-01T12:00:00+02:00"
KK_BEFORE = "2021-04-30T23:59:00+02:00"
KK_AFTER = "2021-06-22T00:00:00+02:00"
MR = "klimasamling-more-og-romsdal-2021"
MR_OPEN = "2021-06-01T12:00:00+02:00"
JSON_TYPE = "application/json; charset=utf-8"
_n = itertools.count(1)


def email(tag: str = "audit") -> str:
    return f"{tag}.{next(_n)}.{uuid.uuid4().hex[:8]}@kommune.example"


def example_body(**changes) -> dict:
    """The application body exactly as API.md shows it (a fresh address so tests do not collide)."""
    body = {"name": "Kari Nordmann", "email": "kari@kommune.example", "phone": "+47 900 00 000",
            "organisation_type": "kommune", "municipality": "1508", "organisation": None,
            "role": "radgiver", "sector": "klima_miljo", "experience": "lite",
            "motivation": "…", "language": "nb", "theme": None, "sessions": None,
            "interests": ["mobilitet", "arealplanlegging"],
            "accommodation": {"needed": True, "extra_night": True}, "dietary": None,
            "consent": True}
    body["email"] = email()
    body.update(changes)
    return body


def assert_error(r, status: int, code: str, *, fields: bool = False) -> dict:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/json"), r.headers
    body = r.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert err["code"] == code, err
    assert isinstance(err["message"], str) and err["message"].strip(), err
    if fields:
        assert isinstance(err.get("fields"), dict) and err["fields"], err
        assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in err["fields"].items())
    return err


def iso_with_offset(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() is not None, value
    return parsed


def apply(api, event_id: str, status: int = 201, **changes) -> dict:
    body = example_body(**changes)
    r = api.post(f"/registration/events/{event_id}/applications", json=body)
    assert r.status_code == status, r.text
    return {**r.json(), "email": body["email"], "name": body["name"]}


def tok(app: dict) -> dict:
    return {"X-Application-Token": app["token"]}


# --- conventions: health, local routes, content type ---------------------------------------------

def test_every_service_health_is_exactly_ok_and_its_name(api):
    for service in SERVICES:
        r = api.get(f"/{service}/health")
        assert r.status_code == 200, (service, r.text)
        assert r.headers["Content-Type"] == JSON_TYPE
        assert r.json() == {"ok": True, "service": service}
    r = api.get("/_local/health")
    assert r.status_code == 200 and r.json() == {"ok": True}


def test_local_clock_set_and_reset_drain_tick(api, new_event):
    event = new_event(KK)
    r = api.post("/_local/clock", json={"now": KK_BEFORE})
    assert r.status_code == 200, r.text
    assert_error(api.post(f"/registration/events/{event['id']}/applications", json=example_body()),
                 409, "registration_not_open")
    r = api.post("/_local/clock", json={"now": KK_OPEN})
    assert r.status_code == 200
    apply(api, event["id"])
    r = api.delete("/_local/clock")
    assert r.status_code == 200, r.text
    # reset to the real time: klimakrønsj 2021 closed long ago
    assert_error(api.post(f"/registration/events/{event['id']}/applications", json=example_body()),
                 409, "registration_closed")
    # a broken clock body is the caller's fault, not the platform's
    for bad in ({"now": "not a time"}, {}, [], "x"):
        r = api.post("/_local/clock", json=bad)
        assert 400 <= r.status_code < 500, (bad, r.status_code, r.text)

    r = api.post("/_local/tick")
    assert r.status_code == 200, r.text
    r = api.post("/_local/drain")
    assert r.status_code == 200
    counts = r.json()
    # "counts per queue": one count for each service's queue (under "queues", with their total)
    per_queue = counts["queues"]
    assert set(SERVICES) <= set(per_queue), counts
    assert all(isinstance(v, int) and v >= 0 for v in per_queue.values()), counts
    assert counts["total"] == sum(per_queue.values())


def test_local_outbox_entries_have_the_contract_fields(api, new_event):
    event = new_event(KK)
    api.clock(KK_OPEN)
    app = apply(api, event["id"])
    api.drain()
    mails = api.outbox(to=app["email"])
    assert mails, "the applicant got no receipt"
    for mail in mails:
        assert {"to", "subject", "text", "html", "attachments"} <= set(mail), mail
        assert mail["to"] == app["email"]
        assert isinstance(mail["subject"], str) and mail["subject"]
        assert isinstance(mail["text"], str) and mail["text"]
        assert isinstance(mail["html"], str) and mail["html"]
        assert isinstance(mail["attachments"], list)
        assert all(isinstance(a, str) for a in mail["attachments"])


# --- the seed events, as shipped -----------------------------------------------------------------

def test_seed_events_are_loaded_listed_and_readable(api):
    r = api.get("/registration/events")
    assert r.status_code == 200 and r.headers["Content-Type"] == JSON_TYPE
    listed = r.json()
    assert isinstance(listed, list)
    ids = {e["id"] for e in listed}
    assert set(SEEDS) <= ids
    for seed in SEEDS:
        r = api.get(f"/registration/events/{seed}")
        assert r.status_code == 200, r.text
        event = r.json()
        assert event["id"] == seed
        for key in ("title", "organiser", "languages", "venue", "sessions", "themes", "registration",
                    "selection", "accommodation", "groups", "certificate", "reminders"):
            assert key in event, (seed, key)
        assert event["languages"] and set(event["languages"]) <= {"nb", "nn", "en"}
        assert set(event["title"]) <= {"nb", "nn", "en"}
        reg = event["registration"]
        for key in ("opens", "deadline", "mode", "capacity", "offer_response_days", "eligibility",
                    "max_per_municipality"):
            assert key in reg, (seed, key)
        assert reg["mode"] in ("application", "first_come")
        assert iso_with_offset(reg["opens"]) < iso_with_offset(reg["deadline"])
        for s in event["sessions"]:
            assert {"id", "title", "start", "end", "mode", "audience", "theme"} <= set(s), s
            assert s["mode"] in ("digital", "physical") and s["audience"] in ("all", "leaders")
            assert iso_with_offset(s["start"]) < iso_with_offset(s["end"])
        if event["venue"] is not None:
            assert {"name", "address", "municipality"} <= set(event["venue"])
            assert re.fullmatch(r"\d{4}", event["venue"]["municipality"])
        el = reg["eligibility"]
        assert {"organisation_types", "counties", "municipalities"} <= set(el)
        for c in el["counties"] or []:
            assert re.fullmatch(r"\d{2}", c), c
        for m in el["municipalities"] or []:
            assert re.fullmatch(r"\d{4}", m), m
        theme_ids = {t["id"] for t in event["themes"]}
        assert all(s["theme"] in theme_ids for s in event["sessions"] if s["theme"] is not None)
        # the public view of an event hands out no one's email address
        assert "@" not in r.text, seed


def test_seed_facts_match_the_contract_example(api):
    event = api.get(f"/registration/events/{KK}").json()
    assert event["title"] == {"nb": "Klimakrønsj 2021", "en": "Climate workshop 2021"}
    assert event["organiser"] == "Miljødirektoratet"
    assert event["languages"] == ["nb", "en"]
    assert event["venue"] is None
    assert event["themes"] == []
    reg = event["registration"]
    # "21. juni" is the instant 2021-06-21T23:59:59+02:00
    assert iso_with_offset(reg["deadline"]) == datetime.fromisoformat("2021-06-21T23:59:59+02:00")
    assert reg["mode"] == "application" and reg["capacity"] == 50
    assert event["groups"] == {"min_size": 3, "max_size": 6} or {"min_size", "max_size"} <= set(event["groups"])
    assert event["certificate"]["min_attendance"] == 0.75 and event["certificate"]["hours"] == 16
    s1 = event["sessions"][0]
    assert s1["id"] == "s1" and iso_with_offset(s1["start"]) == datetime.fromisoformat("2021-09-22T09:00:00+02:00")
    mr = api.get(f"/registration/events/{MR}").json()
    assert mr["venue"]["municipality"] == "1508"
    assert mr["registration"]["eligibility"]["counties"] == ["15"]
    assert mr["accommodation"]["quota_per_municipality"] == 4
    assert mr["languages"][0] == "nn"


def test_seed_forms_are_html_forms_for_every_seed(api):
    for seed in SEEDS:
        r = api.get(f"/registration/events/{seed}/form")
        assert r.status_code == 200, (seed, r.text[:300])
        assert r.headers["Content-Type"].startswith("text/html")
        assert "<form" in r.text and 'method="post"' in r.text.lower()


def test_page_language_lang_query_then_accept_language_then_first_language(api):
    def lang_of(r) -> str:
        m = re.search(r'<html[^>]*\blang="([a-z]{2})"', r.text)
        assert m, r.text[:300]
        return m.group(1)

    form = f"/registration/events/{MR}/form"  # languages [nn, nb]
    assert lang_of(api.get(form)) == "nn"
    assert lang_of(api.get(form, headers={"Accept-Language": "nb"})) == "nb"
    assert lang_of(api.get(form + "?lang=nb", headers={"Accept-Language": "nn"})) == "nb"
    kk = f"/registration/events/{KK}/form"
    assert lang_of(api.get(kk)) == "nb"
    assert lang_of(api.get(kk, headers={"Accept-Language": "en-GB,en;q=0.9"})) == "en"
    assert lang_of(api.get(kk + "?lang=en", headers={"Accept-Language": "nb"})) == "en"


# --- errors, auth, not found ---------------------------------------------------------------------

def test_error_messages_follow_the_request_language(api):
    path = "/registration/events/no-such-event"
    en = assert_error(api.get(path + "?lang=en"), 404, "not_found")["message"]
    nb = assert_error(api.get(path + "?lang=nb"), 404, "not_found")["message"]
    nn = assert_error(api.get(path + "?lang=nn"), 404, "not_found")["message"]
    assert en != nb and nn != en
    assert assert_error(api.get(path, headers={"Accept-Language": "en"}), 404, "not_found")["message"] == en
    assert assert_error(api.get(path + "?lang=nb", headers={"Accept-Language": "en"}),
                        404, "not_found")["message"] == nb


def test_unknown_event_is_404_not_found_on_every_service(api):
    o = {"organiser": True}
    cases = [
        ("get", "/registration/events/nope", {}),
        ("post", "/registration/events/nope/applications", {"json": example_body()}),
        ("get", "/registration/events/nope/applications", o),
        ("post", "/registration/events/nope/selection", o),
        ("get", "/registration/events/nope/selection", o),
        ("get", "/registration/events/nope/accommodation", o),
        ("get", "/registration/events/nope/programme", {}),
        ("get", "/registration/events/nope/award", {}),
        ("get", "/registration/events/nope/contributions", o),
        ("post", "/matching/events/nope/groups", {**o, "json": {"facilitators": []}}),
        ("get", "/matching/events/nope/groups", o),
        ("post", "/matching/events/nope/pairings", {**o, "json": {"kind": "feedback"}}),
        ("get", "/matching/events/nope/pairings", o),
        ("post", "/certificates/events/nope/attendance", {**o, "json": {"session_id": "s1", "participant_ids": []}}),
        ("post", "/certificates/events/nope/issue", o),
        ("get", "/certificates/events/nope/certificates", o),
        ("get", "/notifications/events/nope/outbox", o),
        ("post", "/notifications/events/nope/broadcast",
         {**o, "json": {"audience": "participants", "subject": "Hei", "body": "Hei"}}),
    ]
    for method, path, kwargs in cases:
        r = getattr(api, method)(path, **kwargs)
        assert_error(r, 404, "not_found")
    r = api.get("/registration/events/nope/form", headers={"Accept": "application/json"})
    assert r.status_code == 404
    for path in ("/registration/applications/nope", "/registration/applications/nope?token=x"):
        assert_error(api.get(path), 404, "not_found")
    assert_error(api.get("/certificates/certificates/nope.pdf?token=x"), 404, "not_found")
    for service in SERVICES:
        assert_error(api.get(f"/{service}/no/such/route"), 404, "not_found")


def test_wrong_method_is_an_error_in_the_contract_shape_not_a_500(api):
    for method, path in [("delete", "/registration/events"), ("patch", "/registration/health"),
                         ("delete", f"/registration/events/{KK}/form"), ("put", "/matching/health"),
                         ("delete", "/certificates/verify/abc"), ("post", "/notifications/health")]:
        r = getattr(api, method)(path, organiser=True)
        assert r.status_code in (404, 405), (method, path, r.status_code, r.text)
        assert set(r.json()) == {"error"} and r.json()["error"]["code"], r.text


ORGANISER_ROUTES = [
    ("put", "/registration/events/{e}"),
    ("get", "/registration/events/{e}/applications"),
    ("get", "/registration/events/{e}/applications?format=csv"),
    ("put", "/registration/applications/x/review"),
    ("post", "/registration/events/{e}/invitations"),
    ("post", "/registration/events/{e}/selection"),
    ("post", "/registration/events/{e}/selection?dry_run=true"),
    ("get", "/registration/events/{e}/selection"),
    ("post", "/registration/events/{e}/accommodation"),
    ("get", "/registration/events/{e}/accommodation"),
    ("get", "/registration/events/{e}/accommodation?format=csv"),
    ("get", "/registration/events/{e}/contributions"),
    ("put", "/registration/contributions/x/decision"),
    ("post", "/registration/events/{e}/programme"),
    ("post", "/registration/events/{e}/award/jury"),
    ("get", "/registration/events/{e}/award/results"),
    ("post", "/registration/events/{e}/award/winner"),
    ("post", "/matching/events/{e}/groups"),
    ("get", "/matching/events/{e}/groups"),
    ("post", "/matching/events/{e}/pairings"),
    ("get", "/matching/events/{e}/pairings"),
    ("post", "/certificates/events/{e}/attendance"),
    ("post", "/certificates/events/{e}/issue"),
    ("get", "/certificates/events/{e}/certificates"),
    ("get", "/notifications/events/{e}/outbox"),
    ("post", "/notifications/events/{e}/broadcast"),
]


def test_every_organiser_route_needs_the_bearer_token(api, platform):
    bad_headers = [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": platform.organiser_token},
                   {"Authorization": "Basic " + platform.organiser_token}, {"Authorization": "Bearer "}]
    for method, path in ORGANISER_ROUTES:
        for seed in (KK, "nope"):
            for headers in bad_headers:
                r = getattr(api, method)(path.format(e=seed), headers=headers, json={})
                assert_error(r, 401, "unauthorized")
    # the seed is still as shipped: the refused PUT changed nothing
    assert api.get(f"/registration/events/{KK}").json()["registration"]["capacity"] == 50


def test_public_routes_need_no_token(api):
    for path in (f"/registration/events/{KK}", "/registration/events", f"/registration/events/{KK}/form",
                 "/registration/events/gronn-praksis-2022/programme",
                 "/registration/events/gronn-praksis-2022/award", "/certificates/verify/nonsense"):
        assert api.get(path).status_code == 200, path


# --- event configuration -------------------------------------------------------------------------

def test_put_event_creates_then_replaces_and_get_reads_it_back(api, new_event):
    event = new_event(KK)  # PUT answered 201 (created)
    path = f"/registration/events/{event['id']}"
    got = api.get(path).json()
    assert got["id"] == event["id"] and got["title"] == event["title"]
    assert got["registration"]["capacity"] == 50
    changed = {**event, "registration": {**event["registration"], "capacity": 7},
               "title": {"nb": "Endret tittel", "en": "Changed title"}}
    r = api.put(path, organiser=True, json=changed)
    assert r.status_code == 200, r.text
    got = api.get(path).json()
    assert got["registration"]["capacity"] == 7 and got["title"]["en"] == "Changed title"
    assert event["id"] in {e["id"] for e in api.get("/registration/events").json()}
    # broken configurations are the organiser's mistake: 400 or 422, never a 500
    assert_error(api.put(path, organiser=True, data=b"{not json",
                         headers={"Content-Type": "application/json"}), 400, "bad_request")
    bad = {**event, "registration": {**event["registration"], "mode": "lottery"}}
    assert_error(api.put(path, organiser=True, json=bad), 422, "validation_error", fields=True)
    bad = {**event, "sessions": [{**event["sessions"][0], "start": "22. september"}]}
    assert_error(api.put(path, organiser=True, json=bad), 422, "validation_error", fields=True)
    assert api.get(path).json()["registration"]["capacity"] == 7


# --- applications --------------------------------------------------------------------------------

@pytest.fixture
def kk(api, new_event):
    event = new_event(KK)
    api.clock(KK_OPEN)
    return event


def test_the_example_application_body_is_accepted(api, kk):
    r = api.post(f"/registration/events/{kk['id']}/applications", json=example_body())
    assert r.status_code == 201, r.text
    assert r.headers["Content-Type"] == JSON_TYPE
    body = r.json()
    assert {"id", "status", "token"} <= set(body)
    assert body["status"] == "submitted"
    assert isinstance(body["token"], str) and len(body["token"]) >= 16


def test_applicant_routes_with_token_query_or_header(api, kk):
    a = apply(api, kk["id"])
    b = apply(api, kk["id"])
    path = f"/registration/applications/{a['id']}"
    r = api.get(path, params={"token": a["token"]})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["id"] == a["id"] and got["status"] == "submitted" and got["email"] == a["email"]
    assert api.get(path, headers=tok(a)).json()["id"] == a["id"]
    # anything but its own token: 404, never revealing the id exists
    for kwargs in ({}, {"headers": tok(b)}, {"params": {"token": b["token"]}},
                   {"params": {"token": "x" * 40}}, {"headers": {"X-Application-Token": ""}}):
        assert_error(api.get(path, **kwargs), 404, "not_found")
        assert_error(api.patch(path, json={"motivation": "x"}, **kwargs), 404, "not_found")
        assert_error(api.post(path + "/withdraw", **kwargs), 404, "not_found")
        assert_error(api.delete(path, **kwargs), 404, "not_found")
    assert_error(api.get(path, organiser=True), 404, "not_found")

    # PATCH edits before the deadline
    r = api.patch(path, headers=tok(a), json={"motivation": "Ny motivasjon", "experience": "mye"})
    assert r.status_code == 200, r.text
    got = api.get(path, headers=tok(a)).json()
    assert got["motivation"] == "Ny motivasjon" and got["experience"] == "mye"
    assert_error(api.patch(path, headers=tok(a), json={"experience": "enormt"}), 422, "validation_error",
                 fields=True)
    assert_error(api.patch(path, headers={**tok(a), "Content-Type": "application/json"}, data=b"{"),
                 400, "bad_request")
    api.clock(KK_AFTER)
    r = api.patch(path, headers=tok(a), json={"motivation": "For sent"})
    assert r.status_code == 409, r.text
    api.clock(KK_OPEN)

    # withdraw
    r = api.post(path + "/withdraw", headers=tok(a))
    assert r.status_code == 200, r.text
    assert api.get(path, headers=tok(a)).json()["status"] == "withdrawn"

    # DELETE erases: the token opens nothing any more
    bpath = f"/registration/applications/{b['id']}"
    r = api.delete(bpath, headers=tok(b))
    assert r.status_code in (200, 204), r.text
    assert_error(api.get(bpath, headers=tok(b)), 404, "not_found")
    api.drain()
    listed = api.get(f"/registration/events/{kk['id']}/applications", organiser=True).json()
    assert b["id"] not in {x["id"] for x in listed}
    assert b["email"] not in api.get(f"/registration/events/{kk['id']}/applications?format=csv",
                                     organiser=True).text


def test_same_email_updates_the_application(api, kk):
    body = example_body()
    url = f"/registration/events/{kk['id']}/applications"
    first = api.post(url, json=body)
    assert first.status_code == 201
    again = api.post(url, json={**body, "motivation": "Oppdatert", "email": body["email"].upper()})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json().get("token") in (None, first.json()["token"])
    got = api.get(f"/registration/applications/{first.json()['id']}", headers=tok(first.json()))
    assert got.status_code == 200 and got.json()["motivation"] == "Oppdatert"
    listed = api.get(url, organiser=True).json()
    assert [x["id"] for x in listed if x["email"].lower() == body["email"].lower()] == [first.json()["id"]]


def test_application_window_eligibility_and_validation(api, kk):
    url = f"/registration/events/{kk['id']}/applications"
    api.clock(KK_BEFORE)
    assert_error(api.post(url, json=example_body()), 409, "registration_not_open")
    api.clock("2021-06-21T23:59:59+02:00")
    assert api.post(url, json=example_body()).status_code == 201  # the deadline is the last instant
    api.clock(KK_AFTER)
    assert_error(api.post(url, json=example_body()), 409, "registration_closed")
    api.clock(KK_OPEN)
    err = assert_error(api.post(url, json=example_body(organisation_type="statlig", municipality=None,
                                                       organisation="Statens vegvesen")), 422, "not_eligible")
    assert len(err["message"]) > 5
    err = assert_error(api.post(url, json=example_body(consent=False)), 422, "validation_error", fields=True)
    assert "consent" in err["fields"]
    err = assert_error(api.post(url, json=example_body(municipality=None)), 422, "validation_error", fields=True)
    assert "municipality" in err["fields"]
    err = assert_error(api.post(url, json=example_body(municipality="9999")), 422, "validation_error",
                       fields=True)
    assert "municipality" in err["fields"]
    err = assert_error(api.post(url, json=example_body(organisation_type="fylkeskommune", municipality=None)),
                       422, "validation_error", fields=True)
    assert "county" in err["fields"]
    assert api.post(url, json=example_body(organisation_type="fylkeskommune", municipality=None,
                                           county="15")).status_code == 201
    assert api.post(url, json=example_body(organisation_type="folkevalgt", role="folkevalgt",
                                           municipality="0301")).status_code == 201
    assert api.post(url, json=example_body(role="Klimarådgiver i kommunen")).status_code == 201
    for field, value in (("sector", "romfart"), ("experience", "litt"), ("organisation_type", "kommunal"),
                         ("email", "not-an-address"), ("language", "de")):
        err = assert_error(api.post(url, json=example_body(**{field: value})), 422, "validation_error",
                           fields=True)
        assert field in err["fields"], (field, err)
    for sector in ("klima_miljo", "plan", "helse_omsorg", "oppvekst_utdanning", "teknisk", "landbruk",
                   "kultur_idrett", "naering", "innkjop", "eiendom", "ledelse", "annet"):
        assert api.post(url, json=example_body(sector=sector)).status_code == 201, sector
    # malformed body, wrong content, too big
    assert_error(api.post(url, data=b"{", headers={"Content-Type": "application/json"}), 400, "bad_request")
    assert_error(api.post(url, data=b"", headers={"Content-Type": "application/json"}), 400, "bad_request")
    big = example_body(motivation="x" * (64 * 1024 + 10))
    assert_error(api.post(url, json=big), 413, "payload_too_large")
    assert api.post(url, json=example_body(motivation="x" * (60 * 1024))).status_code in (201, 422)
    # unknown event: 404
    assert_error(api.post("/registration/events/nope/applications", json=example_body()), 404, "not_found")


def test_organiser_lists_reviews_and_csv(api, kk):
    a = apply(api, kk["id"])
    url = f"/registration/events/{kk['id']}/applications"
    r = api.get(url, organiser=True)
    assert r.status_code == 200 and r.headers["Content-Type"] == JSON_TYPE
    listed = r.json()
    assert [x["id"] for x in listed] == [a["id"]]
    assert listed[0]["status"] == "submitted"
    assert [x["id"] for x in api.get(url + "?status=submitted", organiser=True).json()] == [a["id"]]
    assert api.get(url + "?status=confirmed", organiser=True).json() == []
    r = api.get(url + "?format=csv", organiser=True)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert a["id"] in r.text and a["email"] in r.text
    r = api.get(url + "?status=withdrawn&format=csv", organiser=True)
    assert r.status_code == 200 and a["id"] not in r.text
    review = f"/registration/applications/{a['id']}/review"
    r = api.put(review, organiser=True, json={"score": 4, "note": "Godt motivert."})
    assert r.status_code == 200, r.text
    for bad in ({"score": 0}, {"score": 6}, {"score": "fire"}, {"score": 2.5}):
        assert_error(api.put(review, organiser=True, json=bad), 422, "validation_error", fields=True)
    assert_error(api.put("/registration/applications/nope/review", organiser=True, json={"score": 3}),
                 404, "not_found")


def test_selection_dry_run_then_offers_and_offer_expiry(api, kk):
    apps = [apply(api, kk["id"], municipality=m) for m in ("1508", "0301", "4204")]
    sel = f"/registration/events/{kk['id']}/selection"
    r = api.post(sel, organiser=True)
    assert r.status_code == 409, r.text  # before the deadline
    assert set(r.json()) == {"error"}
    api.clock(KK_AFTER)
    r = api.post(sel + "?dry_run=true", organiser=True)
    assert r.status_code == 200, r.text
    result = r.json()
    assert {"selected", "waitlist", "not_selected", "quotas", "objective"} <= set(result)
    ids = {a["id"] for a in apps}
    assert set(result["selected"]) | set(result["waitlist"]) | set(result["not_selected"]) == ids
    assert set(result["selected"]) == ids  # 3 applicants, 50 places
    for q in result["quotas"]:
        assert {"quota", "achieved", "met"} <= set(q) and isinstance(q["met"], bool)
        assert isinstance(q["quota"], dict) and "field" in q["quota"]
    assert isinstance(result["objective"], (int, float))
    api.drain()
    for a in apps:  # a dry run offers nothing
        assert api.get(f"/registration/applications/{a['id']}", headers=tok(a)).json()["status"] == "submitted"
    r = api.post(sel, organiser=True)
    assert r.status_code == 200, r.text
    done = r.json()
    assert set(done["selected"]) == ids
    got = api.get(sel, organiser=True)
    assert got.status_code == 200 and got.json()["selected"] == done["selected"]
    api.drain()
    statuses = {a["id"]: api.get(f"/registration/applications/{a['id']}", headers=tok(a)).json()["status"]
                for a in apps}
    assert set(statuses.values()) == {"offered"}
    a, b, c = apps
    r = api.post(f"/registration/applications/{a['id']}/offer", headers=tok(a), json={"accept": True})
    assert r.status_code == 200, r.text
    assert api.get(f"/registration/applications/{a['id']}", headers=tok(a)).json()["status"] == "confirmed"
    r = api.post(f"/registration/applications/{b['id']}/offer", headers=tok(b), json={"accept": False})
    assert r.status_code == 200, r.text
    assert api.get(f"/registration/applications/{b['id']}", headers=tok(b)).json()["status"] == "declined"
    assert_error(api.post(f"/registration/applications/{c['id']}/offer", headers=tok(c), json={"accept": "ja"}),
                 422, "validation_error", fields=True)
    assert_error(api.post(f"/registration/applications/{c['id']}/offer", headers=tok(b), json={"accept": True}),
                 404, "not_found")
    later = (datetime.fromisoformat(KK_AFTER) + timedelta(days=9)).isoformat()
    api.clock(later)
    assert_error(api.post(f"/registration/applications/{c['id']}/offer", headers=tok(c), json={"accept": True}),
                 409, "offer_expired")
    # the offer mail reached every selected applicant
    for x in apps:
        assert api.outbox(to=x["email"]), x


def test_first_come_waitlist_promotion_and_ids_shared_across_services(api, new_event):
    event = new_event(KK, registration__mode="first_come", registration__capacity=3)
    eid = event["id"]
    api.clock(KK_OPEN)
    apps = [apply(api, eid, municipality=m, sector=s, experience=x, name=n)
            for m, s, x, n in (("1508", "plan", "lite", "Kari Nordmann"), ("0301", "teknisk", "mye", "Per Fiktivsen"),
                               ("4204", "annet", "noe", "Åse Ødegård"), ("5001", "plan", "mye", "Ola Oppdiktet"))]
    assert [a["status"] for a in apps] == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    first, last = apps[0], apps[3]
    r = api.post(f"/registration/applications/{first['id']}/withdraw", headers=tok(first))
    assert r.status_code == 200
    api.drain()
    assert api.get(f"/registration/applications/{last['id']}", headers=tok(last)).json()["status"] == "confirmed"
    confirmed = [a["id"] for a in apps[1:]]

    # matching knows the participants by their application ids
    r = api.post(f"/matching/events/{eid}/groups", organiser=True,
                 json={"facilitators": [{"name": "Fasilitator Fiktiv", "email": "fasilitator@example.no"}]})
    assert r.status_code in (200, 201), r.text
    groups = r.json()
    assert {"groups", "score"} <= set(groups)
    members = [m for g in groups["groups"] for m in g["members"]]
    assert sorted(members) == sorted(confirmed)
    for g in groups["groups"]:
        assert {"id", "facilitator", "members"} <= set(g)
    assert api.get(f"/matching/events/{eid}/groups", organiser=True).json()["groups"] == groups["groups"]
    r = api.post(f"/matching/events/{eid}/pairings", organiser=True, json={"kind": "networking"})
    assert r.status_code in (200, 201), r.text
    round1 = r.json()
    assert round1["round"] == 1 and round1["kind"] == "networking"
    assert all(len(p) in (2, 3) and set(p) <= set(confirmed) for p in round1["pairs"])
    assert_error(api.post(f"/matching/events/{eid}/pairings", organiser=True, json={"kind": "speed"}),
                 422, "validation_error", fields=True)
    rounds = api.get(f"/matching/events/{eid}/pairings", organiser=True)
    assert rounds.status_code == 200
    listed = rounds.json()
    listed = listed["rounds"] if isinstance(listed, dict) else listed
    assert [x["round"] for x in listed] == [1]
    api.drain()

    # certificates know them by the same ids; the applicant's token opens the PDF
    cert = f"/certificates/events/{eid}"
    for s in ("s1", "s2", "s3"):
        r = api.post(cert + "/attendance", organiser=True, json={"session_id": s, "participant_ids": confirmed})
        assert r.status_code == 200, r.text
    assert_error(api.post(cert + "/attendance", organiser=True, json={"session_id": "s9", "participant_ids": []}),
                 422, "validation_error")
    r = api.post(cert + "/issue", organiser=True)
    assert r.status_code == 200, r.text
    again = api.post(cert + "/issue", organiser=True)
    assert again.status_code == 200
    api.drain()
    r = api.get(cert + "/certificates", organiser=True)
    assert r.status_code == 200, r.text
    certs = r.json()
    certs = certs["certificates"] if isinstance(certs, dict) else certs
    assert len(certs) == 3, certs
    second = apps[1]
    mine = [c for c in certs if second["id"] in c.values()]
    assert len(mine) == 1, certs
    cid = mine[0]["id"]
    r = api.get(f"/certificates/certificates/{cid}.pdf", params={"token": second["token"]})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/pdf")
    assert r.content.startswith(b"%PDF")
    assert_error(api.get(f"/certificates/certificates/{cid}.pdf", params={"token": last["token"]}),
                 404, "not_found")
    assert_error(api.get(f"/certificates/certificates/{cid}.pdf"), 404, "not_found")
    code = mine[0].get("code") or mine[0].get("verify_code")
    assert code, mine[0]
    r = api.get(f"/certificates/verify/{code}")
    assert r.status_code == 200 and r.headers["Content-Type"] == JSON_TYPE
    check = r.json()
    assert check["valid"] is True and check["name"] == second["name"]
    assert {"valid", "name", "event", "issued"} <= set(check)
    # the day it was issued (a certificate's date), or an instant with its offset
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", check["issued"]) or iso_with_offset(check["issued"])
    r = api.get(f"/certificates/verify/{code}", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    r = api.get("/certificates/verify/nonsense")
    assert r.status_code == 200 and r.json() == {"valid": False}

    # notifications: the organiser's outbox and a broadcast
    r = api.post(f"/notifications/events/{eid}/broadcast", organiser=True,
                 json={"audience": "participants", "subject": "Velkommen", "body": "Vi gleder oss."})
    assert r.status_code in (200, 202), r.text
    assert_error(api.post(f"/notifications/events/{eid}/broadcast", organiser=True,
                          json={"audience": "alle", "subject": "x", "body": "y"}), 422, "validation_error")
    api.drain()
    assert any(m["subject"] == "Velkommen" for m in api.outbox(to=second["email"]))
    r = api.get(f"/notifications/events/{eid}/outbox", organiser=True)
    assert r.status_code == 200
    out = r.json()
    out = out["mails"] if isinstance(out, dict) else out
    assert out
    for m in out:
        assert {"recipient", "template", "subject", "time", "status"} <= set(m), m
        iso_with_offset(m["time"])
    assert second["email"] in {m["recipient"] for m in out}

    # DELETE erases the person everywhere
    r = api.delete(f"/registration/applications/{second['id']}", headers=tok(second))
    assert r.status_code in (200, 204)
    api.drain()
    assert_error(api.get(f"/registration/applications/{second['id']}", headers=tok(second)), 404, "not_found")
    assert second["email"] not in api.get(f"/notifications/events/{eid}/outbox", organiser=True).text
    assert second["id"] not in api.get(f"/matching/events/{eid}/groups", organiser=True).text
    listed = api.get(cert + "/certificates", organiser=True).text
    assert second["name"] not in listed and second["id"] not in listed
    assert api.get(f"/certificates/verify/{code}").json().get("name") != second["name"]


def test_emails_follow_the_applicant_language(api, new_event):
    event = new_event(MR)
    api.clock(MR_OPEN)
    url = f"/registration/events/{event['id']}/applications"
    a_nb = example_body(language="nb")
    a_nn = example_body(language="nn")
    for body in (a_nb, a_nn):
        r = api.post(url + "?lang=en", json=body, headers={"Accept-Language": "en"})
        assert r.status_code == 201, r.text
    api.drain()
    nb_mail = api.outbox(to=a_nb["email"])[0]
    nn_mail = api.outbox(to=a_nn["email"])[0]
    assert nb_mail["subject"] != nn_mail["subject"] or nb_mail["text"] != nn_mail["text"]


def test_invitations_and_accommodation(api, new_event):
    event = new_event(MR)
    eid = event["id"]
    api.clock(MR_OPEN)
    invitee = email("invitert")
    r = api.post(f"/registration/events/{eid}/invitations", organiser=True,
                 json={"invitees": [{"email": invitee, "municipality": "1580"}]})
    assert r.status_code == 200, r.text
    assert_error(api.post(f"/registration/events/{eid}/invitations", organiser=True,
                          json={"invitees": [{"email": "ikke-en-adresse", "municipality": "1580"}]}),
                 422, "validation_error")
    api.drain()
    assert api.outbox(to=invitee)
    a = apply(api, eid, municipality="1505")  # Kristiansund: far from Ålesund
    assert a["status"] == "confirmed"
    assert_error(api.post(url := f"/registration/events/{eid}/applications",
                          json=example_body(municipality="0301")), 422, "not_eligible")
    del url
    r = api.post(f"/registration/events/{eid}/accommodation", organiser=True)
    assert r.status_code == 200, r.text
    alloc = r.json()
    assert {"participants", "municipalities"} <= set(alloc)
    (p,) = alloc["participants"]
    assert {"id", "municipality", "nights", "covered", "extra_night", "distance_km"} <= set(p)
    assert p["id"] == a["id"] and p["municipality"] == "1505"
    assert p["nights"] == ["2021-11-10", "2021-11-11"] and p["covered"] is True and p["extra_night"] is True
    assert alloc["municipalities"]["1505"] == {"covered": 1, "not_covered": 0}
    assert api.get(f"/registration/events/{eid}/accommodation", organiser=True).json() == alloc
    r = api.get(f"/registration/events/{eid}/accommodation?format=csv", organiser=True)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv") and a["name"] in r.text


# --- contributions, programme, award (read lightly; their own file goes deep) --------------------

GP = "gronn-praksis-2022"
GP_OPEN = "2022-03-01T12:00:00+01:00"


def test_contributions_nominations_and_award_shapes(api, new_event):
    event = new_event(GP)
    eid = event["id"]
    api.clock(GP_OPEN)
    a = apply(api, eid, municipality="4204", theme="mobilitet")
    contrib = {"kind": "praksis", "format": "innlegg", "title": "Bysykkel", "summary": "Slik gjorde vi det.",
               "themes": ["mobilitet"], "municipality": "4204", "presenters": []}
    r = api.post(f"/registration/applications/{a['id']}/contributions", headers=tok(a), json=contrib)
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["status"] == "submitted" and c["id"]
    assert_error(api.post(f"/registration/applications/{a['id']}/contributions", json=contrib), 404, "not_found")
    err = assert_error(api.post(f"/registration/applications/{a['id']}/contributions", headers=tok(a),
                                json={**contrib, "title": "x" * 201}), 422, "validation_error", fields=True)
    assert "title" in err["fields"]
    mine = api.get(f"/registration/applications/{a['id']}/contributions", headers=tok(a)).json()
    assert c["id"] in str(mine)
    listed = api.get(f"/registration/events/{eid}/contributions", organiser=True)
    assert listed.status_code == 200 and c["id"] in listed.text
    r = api.get(f"/registration/events/{eid}/contributions?format=csv", organiser=True)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    r = api.put(f"/registration/contributions/{c['id']}/decision", organiser=True,
                json={"status": "accepted", "note": "Flott.", "session_id": None})
    assert r.status_code == 200, r.text
    r = api.post(f"/registration/events/{eid}/programme", organiser=True)
    assert r.status_code == 200, r.text
    prog = r.json()
    assert {"sessions", "unplaced"} <= set(prog)
    assert c["id"] in [x for s in prog["sessions"] for x in s["contributions"]]
    r = api.get(f"/registration/events/{eid}/programme")
    assert r.status_code == 200 and "@" not in r.text
    r = api.get(f"/registration/events/{eid}/programme", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")

    nominator = {"name": "Nils Nominator", "email": email("nominator")}
    body = {"contribution_id": c["id"], "nominee": None, "nominator": nominator, "reason": "Overførbart."}
    r = api.post(f"/registration/events/{eid}/nominations", json=body)
    assert r.status_code == 201, r.text
    n = r.json()
    assert n["status"] == "nominated"
    r = api.post(f"/registration/events/{eid}/nominations", json=body)
    assert r.status_code == 200 and r.json()["id"] == n["id"]
    assert_error(api.post(f"/registration/events/{eid}/nominations",
                          json={**body, "nominee": {"title": "x", "municipality": "4204", "description": "y"}}),
                 422, "validation_error")
    assert_error(api.post(f"/registration/events/{eid}/award/jury", organiser=True), 409, "state_conflict")
    assert_error(api.get(f"/registration/events/{eid}/award/ballot"), 404, "not_found")
    assert_error(api.get(f"/registration/events/{eid}/award/ballot?token=wrong"), 404, "not_found")
    r = api.get(f"/registration/events/{eid}/award")
    assert r.status_code == 200 and "@" not in r.text
    r = api.get(f"/registration/events/{eid}/award/results", organiser=True)
    assert r.status_code == 200 and {"ranking", "jurors_missing"} <= set(r.json())
    api.drain()
    assert api.outbox(to=nominator["email"])
    # an event without contributions or an award: 404
    kk = new_event(KK)
    api.clock(KK_OPEN)
    k = apply(api, kk["id"])
    assert_error(api.post(f"/registration/applications/{k['id']}/contributions", headers=tok(k), json=contrib),
                 404, "not_found")
    assert_error(api.post(f"/registration/events/{kk['id']}/nominations", json=body), 404, "not_found")


def test_every_error_speaks_the_request_language(api, kk, new_event):
    # refused organiser token and unknown routes too, not only the errors a view raises
    for path in (f"/registration/events/{kk['id']}/applications", "/matching/events/x/groups",
                 "/registration/no/such/route", "/nowhere/at/all"):
        en = api.get(path + "?lang=en").json()["error"]["message"]
        nb = api.get(path + "?lang=nb", headers={"Accept-Language": "en"}).json()["error"]["message"]
        assert en != nb, path
        assert api.get(path, headers={"Accept-Language": "en"}).json()["error"]["message"] == en, path
        assert api.get(path + "?lang=en", headers={"Accept-Language": "nb"}).json()["error"]["message"] == en
    # the applicant's own language comes first, then ?lang=, then Accept-Language, then the event's first
    url = f"/registration/events/{kk['id']}/applications"
    en = assert_error(api.post(url + "?lang=nb", json=example_body(consent=False, language="en"),
                               headers={"Accept-Language": "nb"}), 422, "validation_error", fields=True)
    nb = assert_error(api.post(url + "?lang=en", json=example_body(consent=False, language="nb")),
                      422, "validation_error", fields=True)
    assert en["message"] != nb["message"] and en["fields"]["consent"] != nb["fields"]["consent"]
    assert assert_error(api.post(url + "?lang=en", json=example_body(consent=False, language=None)),
                        422, "validation_error")["message"] == en["message"]
    assert assert_error(api.post(url, json=example_body(consent=False, language=None),
                                 headers={"Accept-Language": "en"}), 422, "validation_error")["message"] \
        == en["message"]
    mr = new_event(MR)  # languages [nn, nb]
    nn = assert_error(api.post(f"/registration/events/{mr['id']}/applications",
                               json=example_body(consent=False, language=None)), 422, "validation_error")
    assert nn["message"] not in (en["message"], nb["message"])


def test_tick_sends_deadline_reminders_to_invitees_yet_to_apply_and_expires_offers(api, kk):
    eid = kk["id"]
    quiet, applied = email("invitert"), email("invitert")
    r = api.post(f"/registration/events/{eid}/invitations", organiser=True,
                 json={"invitees": [{"email": quiet, "municipality": "1508"},
                                    {"email": applied, "municipality": "0301"}]})
    assert r.status_code == 200, r.text
    api.drain()
    assert len(api.outbox(to=quiet)) == 1 and len(api.outbox(to=applied)) == 1
    a = apply(api, eid, municipality="0301")  # someone from Oslo has applied; Ålesund has not
    api.drain()
    api.clock("2021-06-15T12:00:00+02:00")  # 6½ days before the deadline: the 7-day reminder is due
    assert api.post("/_local/tick").status_code == 200
    api.drain()
    assert len(api.outbox(to=quiet)) == 2
    assert len(api.outbox(to=applied)) == 1
    assert api.post("/_local/tick").status_code == 200  # once is once
    api.drain()
    assert len(api.outbox(to=quiet)) == 2

    # an offer left unanswered past its response days ends as expired
    api.clock(KK_AFTER)
    assert api.post(f"/registration/events/{eid}/selection", organiser=True).status_code == 200
    api.drain()
    assert api.get(f"/registration/applications/{a['id']}", headers=tok(a)).json()["status"] == "offered"
    api.clock((datetime.fromisoformat(KK_AFTER) + timedelta(days=8)).isoformat())
    assert api.post("/_local/tick").status_code == 200
    api.drain()
    assert api.get(f"/registration/applications/{a['id']}", headers=tok(a)).json()["status"] == "expired"
    assert_error(api.post(f"/registration/applications/{a['id']}/offer", params={"token": a["token"]},
                          json={"accept": True}), 409, "offer_expired")
