"""The "Contributions, programme and award" section of the contract over the platform's HTTP port,
on fresh copies of the Grønn Praksis 2022 seed: what participants bring, the organiser's
decisions, the programme that places itself, nominations, the jury's ballots and the winner."""
from __future__ import annotations

import csv
import io
import itertools
import re
import uuid

import pytest

SEED = "gronn-praksis-2022"
OPEN = "2022-03-01T12:00:00+01:00"             # contributions and nominations both open
BEFORE_NOMINATIONS = "2022-01-20T12:00:00+01:00"
DEADLINE = "2022-04-20T23:59:59+02:00"           # contributions and nominations close
AFTER = "2022-04-21T00:00:00+02:00"              # registration still open until 20 May
AFTER_REGISTRATION = "2022-05-21T12:00:00+02:00"
_n = itertools.count(1)


def email(tag: str = "a") -> str:
    return f"{tag}.{next(_n)}.{uuid.uuid4().hex[:6]}@kommune.example"


def apply(api, event_id: str, **extra) -> dict:
    body = {"name": "Åse Øvrebø-Ærlandsen", "email": email(), "organisation_type": "kommune",
            "municipality": "4204", "role": "radgiver", "sector": "klima_miljo", "experience": "noe",
            "motivation": "Vi vil vise fram det vi har fått til.", "language": "nb", "consent": True,
            "theme": "mobilitet"}
    body.update(extra)
    r = api.post(f"/registration/events/{event_id}/applications", json=body)
    assert r.status_code == 201, r.text
    return {**r.json(), "email": body["email"], "name": body["name"]}


def contribution(**extra) -> dict:
    body = {"kind": "praksis", "format": "innlegg", "title": "Sykkelbyen Kristiansand",
            "summary": "Slik fikk vi flere til å sykle til jobb.", "themes": ["mobilitet"],
            "municipality": "4204", "presenters": []}
    body.update(extra)
    return body


def tok(app: dict) -> dict:
    return {"X-Application-Token": app["token"]}


def submit(api, app: dict, **extra):
    return api.post(f"/registration/applications/{app['id']}/contributions", json=contribution(**extra),
                    headers=tok(app))


def submitted(api, app: dict, **extra) -> dict:
    r = submit(api, app, **extra)
    assert r.status_code == 201, r.text
    return r.json()


def decide(api, cid: str, status: str = "accepted", **extra):
    return api.put(f"/registration/contributions/{cid}/decision", organiser=True,
                   json={"status": status, "note": extra.pop("note", None), **extra})


def accepted(api, app: dict, **extra) -> dict:
    session_id = extra.pop("session_id", None)
    c = submitted(api, app, **extra)
    r = decide(api, c["id"], session_id=session_id)
    assert r.status_code == 200, r.text
    return c


def code(r) -> str:
    return r.json()["error"]["code"]


def nominate(api, event_id: str, **body):
    payload = {"contribution_id": None, "nominee": None,
               "nominator": {"name": "Bodil Nilsen", "email": email("nominator")},
               "reason": "Lett å ta i bruk i andre kommuner."}
    payload.update(body)
    return api.post(f"/registration/events/{event_id}/nominations", json=payload)


@pytest.fixture
def gp(api, new_event):
    event = new_event(SEED)
    api.clock(OPEN)
    return event


# --- contributions: the applicant ---------------------------------------------------------------


def test_submit_lists_own_and_mails_a_receipt(api, gp):
    app = apply(api, gp["id"])
    r = submit(api, app, presenters=[{"name": "Per Hansen", "email": "per.hansen@example.no"}])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "submitted" and body["id"]
    # the applicant presents even when not listed, first
    assert [p["email"] for p in body["presenters"]] == [app["email"], "per.hansen@example.no"]

    mine = api.get(f"/registration/applications/{app['id']}/contributions", headers=tok(app))
    assert mine.status_code == 200
    assert [c["id"] for c in mine.json()] == [body["id"]]
    assert api.get(f"/registration/applications/{app['id']}/contributions?token={app['token']}").status_code == 200

    other = apply(api, gp["id"])
    assert api.get(f"/registration/applications/{app['id']}/contributions", headers=tok(other)).status_code == 404
    assert api.get(f"/registration/applications/{app['id']}/contributions").status_code == 404
    assert submit(api, {**app, "token": other["token"]}).status_code == 404

    api.drain()
    [mail] = [m for m in api.outbox(to=app["email"]) if "mottatt bidraget" in m["subject"]]
    assert "Sykkelbyen Kristiansand" in mail["text"]


def test_window_and_limit(api, new_event):
    later = new_event(SEED, contributions__opens="2022-03-15T00:00:00+01:00")
    api.clock(OPEN)
    app = apply(api, later["id"])
    r = submit(api, app)
    assert r.status_code == 409 and code(r) == "registration_not_open"

    api.clock("2022-03-20T12:00:00+01:00")
    ids = [submitted(api, app, title=f"Bidrag {i}")["id"] for i in range(3)]
    fourth = submit(api, app, title="Bidrag 4")
    assert fourth.status_code == 409 and code(fourth) == "state_conflict"
    # a withdrawn one no longer counts
    assert api.delete(f"/registration/contributions/{ids[0]}", headers=tok(app)).json()["status"] == "withdrawn"
    assert submit(api, app, title="Bidrag 4").status_code == 201

    api.clock(DEADLINE)
    assert api.patch(f"/registration/contributions/{ids[1]}", json={"title": "Ved fristen"},
                     headers=tok(app)).status_code == 200
    api.clock(AFTER)
    closed = submit(api, app, title="For sent")
    assert closed.status_code == 409 and code(closed) == "registration_closed"
    late_edit = api.patch(f"/registration/contributions/{ids[1]}", json={"title": "Etter fristen"}, headers=tok(app))
    assert late_edit.status_code == 409 and code(late_edit) == "registration_closed"


def test_event_without_contributions_or_award_is_404(api, new_event):
    kronsj = new_event("klimakronsj-2021")
    api.clock("2021-06-01T12:00:00+02:00")
    app = apply(api, kronsj["id"], municipality="1508", theme=None)
    r = submit(api, app)
    assert r.status_code == 404 and code(r) == "not_found"
    assert api.get(f"/registration/events/{kronsj['id']}/programme").status_code == 404
    assert api.post(f"/registration/events/{kronsj['id']}/programme", organiser=True).status_code == 404
    assert nominate(api, kronsj["id"], nominee={"title": "Noe", "municipality": None}).status_code == 404
    assert api.get(f"/registration/events/{kronsj['id']}/award").status_code == 404
    assert api.get(f"/registration/events/{kronsj['id']}/contributions", organiser=True).status_code == 404


def test_field_errors_in_the_applicants_language(api, gp):
    app = apply(api, gp["id"], language="en")
    r = submit(api, app, kind="foredrag", title="x" * 201, themes=["matsvinn"], municipality="9999",
               presenters=[{"name": "Per", "email": "ikke-epost"}])
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "validation_error"
    assert set(err["fields"]) == {"kind", "title", "themes", "municipality", "presenters"}
    assert err["fields"]["title"] == "The text can be at most 200 characters long."
    assert err["fields"]["kind"] == "Choose one of: praksis, ide."
    assert err["fields"]["presenters"] == "Presenter no. 1 does not have a valid email address."

    nb = apply(api, gp["id"])
    r = submit(api, nb, summary="")
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"summary": "Feltet må fylles ut."}
    assert api.post(f"/registration/applications/{nb['id']}/contributions", data="{ikke json",
                    headers=tok(nb)).status_code == 400


def test_patch_and_delete_need_the_owning_token(api, gp):
    app, other = apply(api, gp["id"]), apply(api, gp["id"])
    c = submitted(api, app)
    path = f"/registration/contributions/{c['id']}"
    assert api.patch(path, json={"title": "Nytt"}, headers=tok(other)).status_code == 404
    assert api.delete(path, headers=tok(other)).status_code == 404
    assert api.delete(path).status_code == 404

    r = api.patch(path, json={"title": "Sykkelbyen, del 2", "presenters": []}, headers=tok(app))
    assert r.status_code == 200 and r.json()["title"] == "Sykkelbyen, del 2"
    assert [p["email"] for p in r.json()["presenters"]] == [app["email"]]
    bad = api.patch(path, json={"format": "plakat"}, headers=tok(app))
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"format"}

    gone = api.delete(path, headers=tok(app))
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    assert api.get(path, headers=tok(app)).json()["status"] == "withdrawn"
    again = api.patch(path, json={"title": "Tilbake"}, headers=tok(app))
    assert again.status_code == 409 and code(again) == "state_conflict"
    assert api.get("/registration/contributions/c-finnes-ikke", headers=tok(app)).status_code == 404


def test_a_withdrawn_application_cannot_bring_anything(api, gp):
    app = apply(api, gp["id"])
    assert api.post(f"/registration/applications/{app['id']}/withdraw", headers=tok(app)).status_code == 200
    r = submit(api, app)
    assert r.status_code == 409 and code(r) == "state_conflict"


# --- contributions: organisers ------------------------------------------------------------------


def test_organiser_list_filter_and_csv(api, gp):
    app = apply(api, gp["id"])
    first = submitted(api, app, title="=Formel i tittelen")
    second = submitted(api, app, title="Grønne innkjøp i Åseral", themes=["sirkularokonomi"])
    assert decide(api, second["id"]).status_code == 200
    path = f"/registration/events/{gp['id']}/contributions"

    assert api.get(path).status_code == 401
    everything = api.get(path, organiser=True).json()
    assert [c["id"] for c in everything] == [first["id"], second["id"]]
    assert [c["id"] for c in api.get(path + "?status=accepted", organiser=True).json()] == [second["id"]]
    assert [c["id"] for c in api.get(path + "?status=submitted", organiser=True).json()] == [first["id"]]

    r = api.get(path + "?format=csv", organiser=True)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["id", "status", "innsendt", "type", "format", "tittel"]
    assert [row[0] for row in rows[1:]] == [first["id"], second["id"]]
    assert rows[1][5] == "'=Formel i tittelen"        # never run as a spreadsheet formula
    assert rows[2][5] == "Grønne innkjøp i Åseral" and rows[2][8] == "Kristiansand"
    assert app["email"] in rows[1][9]
    only = api.get(path + "?format=csv&status=accepted", organiser=True)
    assert len(list(csv.reader(io.StringIO(only.content.decode("utf-8-sig")), delimiter=";"))) == 2


def test_decision_mails_applicant_and_presenters(api, gp):
    app = apply(api, gp["id"])
    c = submitted(api, app, presenters=[{"name": "Per Hansen", "email": "per.gp@example.no"}])
    path = f"/registration/contributions/{c['id']}/decision"
    assert api.put(path, json={"status": "accepted"}).status_code == 401
    bad = api.put(path, organiser=True, json={"status": "kanskje", "session_id": "finnes-ikke"})
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"status", "session_id"}
    assert decide(api, "c-finnes-ikke").status_code == 404

    r = decide(api, c["id"], session_id="mobilitet-1", note="Vi gleder oss!")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted" and r.json()["session_id"] == "mobilitet-1"
    decide(api, c["id"], session_id="mobilitet-1", note="Vi gleder oss!")   # the same answer again
    api.drain()
    for to in (app["email"], "per.gp@example.no"):
        [mail] = [m for m in api.outbox(to=to) if "er med i programmet" in m["subject"]]
        assert "Praksis: mobilitet og transport" in mail["text"] and "Vi gleder oss!" in mail["text"]

    assert api.delete(f"/registration/contributions/{c['id']}", headers=tok(app)).status_code == 200
    late = decide(api, c["id"], "rejected")
    assert late.status_code == 409 and code(late) == "state_conflict"


# --- the programme --------------------------------------------------------------------------------


def test_programme_places_fixes_is_stable_and_drops_the_withdrawn(api, gp):
    apps = [apply(api, gp["id"], name=f"Innleder {i}") for i in range(4)]
    fixed = accepted(api, apps[0], title="Fast i standtorget", format="stand", session_id="standtorget")
    mob = accepted(api, apps[1], title="Bildeling på bygda")
    circ = accepted(api, apps[2], title="Ombruk i byggeprosjekter", themes=["sirkularokonomi"])
    idea = accepted(api, apps[3], title="En uferdig idé", kind="ide", themes=[])
    declined = submitted(api, apps[3], title="Avslått")
    assert decide(api, declined["id"], "rejected").status_code == 200
    pending = submitted(api, apps[2], title="Ikke behandlet ennå")

    path = f"/registration/events/{gp['id']}/programme"
    assert api.post(path).status_code == 401
    r = api.post(path, organiser=True)
    assert r.status_code == 200, r.text
    result = r.json()
    where = {cid: s["session_id"] for s in result["sessions"] for cid in s["contributions"]}
    assert where[fixed["id"]] == "standtorget"
    assert where[mob["id"]] == "mobilitet-1" and where[circ["id"]] == "sirkular-1"
    assert idea["id"] in where
    assert declined["id"] not in where and pending["id"] not in where
    assert result["unplaced"] == []
    assert {s["session_id"] for s in result["sessions"]} == {s["id"] for s in gp["sessions"]}

    assert api.post(path, organiser=True).json()["sessions"] == result["sessions"]   # nothing changed

    assert api.delete(f"/registration/contributions/{circ['id']}", headers=tok(apps[2])).status_code == 200
    public = api.get(path).json()      # the public page drops it at once
    assert circ["id"] not in [c["id"] for s in public["sessions"] for c in s["contributions"]]
    again = api.post(path, organiser=True).json()
    where_again = {cid: s["session_id"] for s in again["sessions"] for cid in s["contributions"]}
    assert circ["id"] not in where_again
    assert all(where_again[cid] == where[cid] for cid in where_again)   # the others stay put


def test_presenters_never_in_two_sessions_at_once(api, gp):
    app = apply(api, gp["id"])
    shared = {"name": "Kari Travel", "email": "kari.travel@example.no"}
    one = accepted(api, app, title="Mobilitet A", presenters=[shared])
    two = accepted(api, app, title="Innkjøp B", themes=["sirkularokonomi"], presenters=[shared])
    result = api.post(f"/registration/events/{gp['id']}/programme", organiser=True).json()
    where = {cid: s["session_id"] for s in result["sessions"] for cid in s["contributions"]}
    times = {s["id"]: (s["start"], s["end"]) for s in gp["sessions"]}
    a, b = times[where[one["id"]]], times[where[two["id"]]]
    assert where[one["id"]] == where[two["id"]] or a[1] <= b[0] or b[1] <= a[0]


def test_public_programme_json_and_html_in_three_languages(api, gp):
    app = apply(api, gp["id"], name="Åse Øvrebø-Ærlandsen")
    accepted(api, app, title="Sykkelbyen Kristiansand",
             presenters=[{"name": "Per Hansen", "email": "per.offentlig@example.no"}])
    path = f"/registration/events/{gp['id']}/programme"
    assert api.post(path, organiser=True).status_code == 200

    view = api.get(path)
    assert view.status_code == 200 and view.headers["Content-Type"].startswith("application/json")
    assert "@" not in view.text
    body = view.json()
    starts = [s["start"] for s in body["sessions"]]
    assert starts == sorted(starts) and body["sessions"][0]["session_id"] == "apning"
    [item] = [c for s in body["sessions"] for c in s["contributions"]]
    assert item["title"] == "Sykkelbyen Kristiansand" and item["kind"] == "praksis" and item["format"] == "innlegg"
    assert item["municipality"] == "4204" and item["municipality_name"] == "Kristiansand"
    assert item["presenters"] == [{"name": "Åse Øvrebø-Ærlandsen"}, {"name": "Per Hansen"}]

    for lang, heading, day, kind in (("nb", "Program", "mandag 30. mai 2022", "Praksis · Innlegg"),
                                     ("nn", "Program", "måndag 30. mai 2022", "Praksis · Innlegg"),
                                     ("en", "Programme", "Monday 30 May 2022", "Practice · Talk")):
        page = api.get(f"{path}?lang={lang}", headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        text = page.text
        assert f'<html lang="{lang}">' in text and heading in text and day in text and kind in text
        assert "Sykkelbyen Kristiansand" in text and "Åse Øvrebø-Ærlandsen, Per Hansen" in text
        assert "@" not in text
    en = api.get(path, headers={"Accept": "text/html", "Accept-Language": "en"}).text
    assert "Practice: mobility and transport" in en


# --- nominations -------------------------------------------------------------------------------


def test_nominations_window_receipt_and_same_nominator_twice(api, gp):
    app = apply(api, gp["id"])
    c = submitted(api, app)
    nominator = {"name": "Bodil Nilsen", "email": email("nominator")}
    r = nominate(api, gp["id"], contribution_id=c["id"], nominator=nominator)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "nominated"
    again = nominate(api, gp["id"], contribution_id=c["id"], nominator={**nominator, "email": nominator["email"].upper()},
                     reason="Enda bedre grunn.")
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    free = nominate(api, gp["id"], nominee={"title": "Matsvinnprosjektet", "municipality": "4204",
                                            "description": "Kantinene kastet halvparten så mye."},
                    nominator=nominator)
    assert free.status_code == 201 and free.json()["id"] != r.json()["id"]

    listed = api.get(f"/registration/events/{gp['id']}/nominations", organiser=True).json()
    assert [n["id"] for n in listed] == [r.json()["id"], free.json()["id"]]
    assert listed[0]["reason"] == "Enda bedre grunn."
    assert api.get(f"/registration/events/{gp['id']}/nominations").status_code == 401

    api.drain()
    receipts = [m for m in api.outbox(to=nominator["email"]) if "Takk for nominasjonen" in m["subject"]]
    assert len(receipts) == 2 and any("Sykkelbyen Kristiansand" in m["text"] for m in receipts)


def test_nomination_errors(api, gp):
    app = apply(api, gp["id"])
    c = submitted(api, app)
    both = nominate(api, gp["id"], contribution_id=c["id"], nominee={"title": "To ting"})
    assert both.status_code == 422 and "contribution_id" in both.json()["error"]["fields"]
    neither = nominate(api, gp["id"])
    assert neither.status_code == 422 and "contribution_id" in neither.json()["error"]["fields"]
    unknown = nominate(api, gp["id"], contribution_id="c-finnes-ikke")
    assert unknown.status_code == 422 and "contribution_id" in unknown.json()["error"]["fields"]
    bad = nominate(api, gp["id"], contribution_id=c["id"], nominator={"name": "", "email": "nei"}, reason="")
    assert bad.status_code == 422
    assert {"nominator.name", "nominator.email", "reason"} <= set(bad.json()["error"]["fields"])

    api.clock(BEFORE_NOMINATIONS)
    early = nominate(api, gp["id"], contribution_id=c["id"])
    assert early.status_code == 409 and code(early) == "registration_not_open"
    api.clock(AFTER)
    late = nominate(api, gp["id"], contribution_id=c["id"])
    assert late.status_code == 409 and code(late) == "registration_closed"


# --- the jury and the winner -------------------------------------------------------------------


def ballot_tokens(api, jury: list[dict]) -> dict[str, str]:
    api.drain()
    tokens = {}
    for member in jury:
        mails = [m for m in api.outbox(to=member["email"]) if "Juryarbeidet" in m["subject"]]
        assert len(mails) == 1, [m["subject"] for m in mails]
        tokens[member["email"]] = re.search(r"token=([A-Za-z0-9_\-]+)", mails[0]["text"]).group(1)
    return tokens


@pytest.fixture
def jury():
    return [{"name": "Jens Juryleder", "email": email("jury")}, {"name": "Mari Medlem", "email": email("jury")}]


def test_jury_ballot_scores_results_and_winner(api, new_event, jury):
    event = new_event(SEED, award__jury=jury)
    api.clock(OPEN)
    app = apply(api, event["id"])
    c = submitted(api, app, presenters=[{"name": "Per Vinner", "email": "per.vinner@example.no"}])
    nominator = {"name": "Bodil Nilsen", "email": email("nominator")}
    other_nominator = {"name": "Olav Olsen", "email": email("nominator")}
    win = nominate(api, event["id"], contribution_id=c["id"], nominator=nominator).json()["id"]
    lose = nominate(api, event["id"], nominee={"title": "Solceller på skolen", "municipality": "4203"},
                    nominator=other_nominator).json()["id"]
    base = f"/registration/events/{event['id']}/award"

    early = api.post(base + "/jury", organiser=True)
    assert early.status_code == 409 and code(early) == "state_conflict"
    api.clock(AFTER)
    assert api.post(base + "/jury").status_code == 401
    first = api.post(base + "/jury", organiser=True)
    assert first.status_code == 200 and first.json()["invited"] == 2
    tokens = ballot_tokens(api, jury)
    assert api.post(base + "/jury", organiser=True).json()["invited"] == 0
    assert ballot_tokens(api, jury) == tokens         # still one mail each, same links

    t1, t2 = tokens[jury[0]["email"]], tokens[jury[1]["email"]]
    assert api.get(base + "/ballot").status_code == 404
    assert api.get(base + "/ballot?token=feil").status_code == 404
    ballot = api.get(base + f"/ballot?token={t1}")
    assert ballot.status_code == 200, ballot.text
    assert "@" not in ballot.text
    b = ballot.json()
    assert [n["id"] for n in b["nominations"]] == [win, lose]
    assert b["nominations"][0]["summary"] == "Slik fikk vi flere til å sykle til jobb."
    assert b["nominations"][0]["municipality"] == "4204" and b["nominations"][1]["title"] == "Solceller på skolen"
    assert [c["id"] for c in b["criteria"]] == ["overforbar", "effekt", "medvirkning"]
    assert api.get(base + "/ballot", headers={"X-Jury-Token": t2}).status_code == 200

    def put(nid, token, scores, **kwargs):
        return api.put(f"/registration/nominations/{nid}/scores", json={"scores": scores, "comment": "Godt."},
                       headers={"X-Jury-Token": token}, **kwargs)

    full = {"overforbar": 5, "effekt": 4, "medvirkning": 3}
    missing = put(win, t1, {"overforbar": 5})
    assert missing.status_code == 422
    assert set(missing.json()["error"]["fields"]) == {"scores.effekt", "scores.medvirkning"}
    assert put(win, "feil", full).status_code == 404
    assert api.put(f"/registration/nominations/{win}/scores", json={"scores": full}).status_code == 404
    assert put("n-finnes-ikke", t1, full).status_code == 404
    assert put(win, t1, {"overforbar": 1, "effekt": 1, "medvirkning": 1}).status_code == 200
    assert put(win, t1, full).status_code == 200                  # replaces the first sheet
    assert api.put(f"/registration/nominations/{lose}/scores?token={t1}",
                   json={"scores": {"overforbar": 3, "effekt": 3, "medvirkning": 3}}).status_code == 200
    assert put(win, t2, {"overforbar": 4, "effekt": 4, "medvirkning": 4}).status_code == 200

    assert api.get(base + "/results").status_code == 401
    results = api.get(base + "/results", organiser=True).json()
    ranking = results["ranking"]
    assert [r["nomination_id"] for r in ranking] == [win, lose]
    # juror 1: (2·5 + 2·4 + 1·3)/5 = 4.2, juror 2: 4.0 → 4.1
    assert ranking[0]["score"] == pytest.approx(4.1) and ranking[0]["jurors_scored"] == 2
    assert ranking[1]["score"] == pytest.approx(3.0) and ranking[1]["jurors_scored"] == 1
    assert not ranking[0]["tied"] and not ranking[1]["tied"]
    assert results["jurors_missing"] == [jury[1]["email"]]

    award = api.get(base)
    assert award.status_code == 200 and award.json()["winner"] is None
    assert award.json()["nominations_deadline"] == DEADLINE

    assert api.post(base + "/winner", json={"nomination_id": win}).status_code == 401
    unknown = api.post(base + "/winner", organiser=True, json={"nomination_id": "n-finnes-ikke"})
    assert unknown.status_code == 422
    r = api.post(base + "/winner", organiser=True, json={"nomination_id": win})
    assert r.status_code == 200, r.text
    assert api.post(base + "/winner", organiser=True, json={"nomination_id": win}).status_code == 200
    other = api.post(base + "/winner", organiser=True, json={"nomination_id": lose})
    assert other.status_code == 409 and code(other) == "state_conflict"

    public = api.get(base)
    assert "@" not in public.text and "score" not in public.text
    winner = public.json()["winner"]
    assert winner["nomination_id"] == win and winner["title"] == "Sykkelbyen Kristiansand"
    assert winner["municipality"] == "4204"

    closed = put(lose, t2, full)
    assert closed.status_code == 409 and code(closed) == "state_conflict"

    api.drain()
    for to in (app["email"], "per.vinner@example.no"):
        assert len([m for m in api.outbox(to=to) if "har vunnet" in m["subject"]]) == 1
    assert len([m for m in api.outbox(to=nominator["email"]) if "vant" in m["subject"]]) == 1
    [told] = [m for m in api.outbox(to=other_nominator["email"]) if "er kåret" in m["subject"]]
    assert "Sykkelbyen Kristiansand" in told["text"]


def test_ties_are_marked(api, new_event, jury):
    event = new_event(SEED, award__jury=jury[:1])
    api.clock(OPEN)
    a = nominate(api, event["id"], nominee={"title": "Alfa", "municipality": None}).json()["id"]
    b = nominate(api, event["id"], nominee={"title": "Beta", "municipality": None}).json()["id"]
    api.clock(AFTER)
    assert api.post(f"/registration/events/{event['id']}/award/jury", organiser=True).status_code == 200
    token = ballot_tokens(api, jury[:1])[jury[0]["email"]]
    same = {"overforbar": 4, "effekt": 3, "medvirkning": 2}
    for nid in (a, b):
        assert api.put(f"/registration/nominations/{nid}/scores", json={"scores": same},
                       headers={"X-Jury-Token": token}).status_code == 200
    ranking = api.get(f"/registration/events/{event['id']}/award/results", organiser=True).json()["ranking"]
    assert [r["tied"] for r in ranking] == [True, True]
    assert ranking[0]["score"] == ranking[1]["score"]


def test_winner_waits_for_the_deadline(api, gp):
    n = nominate(api, gp["id"], nominee={"title": "Tidlig", "municipality": None}).json()["id"]
    r = api.post(f"/registration/events/{gp['id']}/award/winner", organiser=True, json={"nomination_id": n})
    assert r.status_code == 409 and code(r) == "state_conflict"


# --- erasure ------------------------------------------------------------------------------------


def test_erasing_an_application_withdraws_its_contributions_and_nominations(api, gp):
    leaving, staying = apply(api, gp["id"], name="Gunn Går"), apply(api, gp["id"], name="Siri Blir")
    own = accepted(api, leaving, title="Går ut av programmet")
    theirs = accepted(api, staying, title="Blir i programmet",
                      presenters=[{"name": "Gunn Går", "email": leaving["email"]}])
    nominated = nominate(api, gp["id"], contribution_id=theirs["id"],
                         nominator={"name": "Gunn Går", "email": leaving["email"]})
    assert nominated.status_code == 201
    kept = nominate(api, gp["id"], contribution_id=own["id"]).json()["id"]
    path = f"/registration/events/{gp['id']}/programme"
    before = api.post(path, organiser=True).json()
    assert own["id"] in [cid for s in before["sessions"] for cid in s["contributions"]]

    assert api.delete(f"/registration/applications/{leaving['id']}", headers=tok(leaving)).status_code == 200

    listed = {c["id"]: c for c in api.get(f"/registration/events/{gp['id']}/contributions", organiser=True).json()}
    assert listed[own["id"]]["status"] == "withdrawn"
    assert [p["email"] for p in listed[theirs["id"]]["presenters"]] == [staying["email"]]
    assert leaving["email"] not in api.get(f"/registration/events/{gp['id']}/contributions?format=csv",
                                           organiser=True).content.decode("utf-8-sig")
    after = api.post(path, organiser=True).json()
    placed = [cid for s in after["sessions"] for cid in s["contributions"]]
    assert own["id"] not in placed and theirs["id"] in placed
    assert "Gunn Går" not in api.get(path, headers={"Accept": "text/html"}).text
    nominations = api.get(f"/registration/events/{gp['id']}/nominations", organiser=True).json()
    assert [n["id"] for n in nominations] == [kept]


def test_the_form_tells_what_one_may_bring_only_where_it_applies(api, gp, new_event):
    page = api.get(f"/registration/events/{gp['id']}/form?lang=nn").text
    assert "Kva vil du ta med?" in page and "verkstad" in page and "20.04.2022 23:59" in page
    assert "What will you bring?" in api.get(f"/registration/events/{gp['id']}/form?lang=en").text
    kronsj = new_event("klimakronsj-2021")
    assert "contributions-part" not in api.get(f"/registration/events/{kronsj['id']}/form").text
