"""The jury's ballot as a page over the platform's HTTP port: the mailed link opens it in a browser,
scores are posted with plain forms, and the JSON ballot stays as it was for other clients."""
from __future__ import annotations

import re
import uuid

import pytest

SEED = "gronn-praksis-2022"
OPEN = "2022-03-01T12:00:00+01:00"
AFTER = "2022-04-21T00:00:00+02:00"
PAGE = {"Accept": "text/html"}
FULL = {"overforbar": 5, "effekt": 4, "medvirkning": 2}


def email(tag: str) -> str:
    return f"{tag}.{uuid.uuid4().hex[:8]}@kommune.example"


@pytest.fixture
def award(api, new_event):
    """A fresh copy with one juror, a nominated contribution and a nominee without one; the jury
    has been invited and the juror's token read from the mailed link."""
    juror = {"name": "Ragnhild Røsvik", "email": email("jury")}
    event = new_event(SEED, award__jury=[juror])
    api.clock(OPEN)
    applicant = {"name": "Åse Øvrebø-Ærlandsen", "email": email("bidrag"), "organisation_type": "kommune",
                 "municipality": "4204", "role": "radgiver", "sector": "klima_miljo", "experience": "noe",
                 "motivation": "Vi vil vise fram det vi har fått til.", "language": "nb", "consent": True,
                 "theme": "mobilitet"}
    app = api.post(f"/registration/events/{event['id']}/applications", json=applicant).json()
    c = api.post(f"/registration/applications/{app['id']}/contributions", headers={"X-Application-Token": app["token"]},
                 json={"kind": "praksis", "format": "innlegg", "title": "Sykkelbyen <Kristiansand>",
                       "summary": "Slik fikk vi flere til å sykle til jobb.", "themes": ["mobilitet"],
                       "municipality": "4204", "presenters": []}).json()
    nominator = {"name": "Bodil Nilsen", "email": email("nominator")}
    first = api.post(f"/registration/events/{event['id']}/nominations",
                     json={"contribution_id": c["id"], "nominee": None, "nominator": nominator,
                           "reason": "Lett å ta i bruk i andre kommuner."}).json()["id"]
    second = api.post(f"/registration/events/{event['id']}/nominations",
                      json={"contribution_id": None, "nominee": {"title": "Solceller på skolen", "municipality": "4203"},
                            "nominator": {"name": "Olav Olsen", "email": email("nominator")},
                            "reason": "Elevene måler selv hva panelene gir."}).json()["id"]
    api.clock(AFTER)
    assert api.post(f"/registration/events/{event['id']}/award/jury", organiser=True).status_code == 200
    api.drain()
    [mail] = [m for m in api.outbox(to=juror["email"]) if "Juryarbeidet" in m["subject"]]
    token = re.search(r"token=([A-Za-z0-9_\-]+)", mail["text"]).group(1)
    return {"event": event, "token": token, "nominations": [first, second],
            "base": f"/registration/events/{event['id']}/award"}


def page(api, award, lang: str | None = None, token: str | None = None):
    query = f"?token={token or award['token']}" + (f"&lang={lang}" if lang else "")
    return api.get(award["base"] + "/ballot" + query, headers=PAGE)


def post(api, award, nid: str, scores: dict, comment: str = "", lang: str = "nb", token: str | None = None):
    form = {"token": token or award["token"], "nomination_id": nid, "comment": comment, "lang": lang}
    form.update({f"score.{k}": str(v) for k, v in scores.items()})
    return api.post(award["base"] + "/ballot", data=form, headers=PAGE)


def section(text: str, nid: str) -> str:
    """The part of the page about one nomination."""
    start = text.index(f'id="nomination-{nid}"')
    end = text.find("<article", start)
    return text[start:end if end != -1 else len(text)]


def test_the_page_in_bokmal_and_nynorsk(api, award):
    nb = page(api, award)
    assert nb.status_code == 200, nb.text
    assert nb.headers["Content-Type"].startswith("text/html")
    text = nb.text
    assert '<html lang="nb">' in text
    assert "GrønnPraksisPrisen 2022" in text and "Juryens stemmeseddel" in text
    assert "Hei, Ragnhild Røsvik!" in text
    # weights in plain words: 2 + 2 + 1 = 5 parts
    assert "Overførbarhet</strong> teller 2 av 5 deler (40 %)" in text
    assert "Medvirkning og samarbeid</strong> teller 1 av 5 deler (20 %)" in text
    first, second = award["nominations"]
    assert text.index(f"nomination-{first}") < text.index(f"nomination-{second}")
    # the title is escaped, never markup
    assert "Sykkelbyen &lt;Kristiansand&gt;" in text and "<Kristiansand>" not in text
    assert "Slik fikk vi flere til å sykle til jobb." in text
    assert "Lett å ta i bruk i andre kommuner." in text
    assert "Kommune: Kristiansand" in section(text, first) and "Solceller på skolen" in section(text, second)
    assert "Kommune: Arendal" in section(text, second)
    assert "@" not in text
    # one form per nomination, every criterion 1–5, the token hidden in it
    assert text.count('<form method="post"') == 2
    for criterion in FULL:
        for value in range(1, 6):
            assert f'name="score.{criterion}" value="{value}"' in section(text, first)
    assert f'<input type="hidden" name="token" value="{award["token"]}">' in text

    nn = page(api, award, lang="nn")
    assert nn.status_code == 200
    assert '<html lang="nn">' in nn.text and "Stemmesetelen til juryen" in nn.text
    assert "Grunngjeving frå den som nominerte" in nn.text and "tel 2 av 5 delar (40 %)" in nn.text
    assert "@" not in nn.text

    by_header = api.get(award["base"] + f"/ballot?token={award['token']}",
                        headers={**PAGE, "Accept-Language": "en-GB,en;q=0.8"})
    assert "The jury&#39;s ballot" in by_header.text and "counts for 2 of 5 parts (40 %)" in by_header.text


def test_posting_a_full_sheet_stores_it_and_prefills_the_form(api, award):
    first, second = award["nominations"]
    r = post(api, award, first, FULL, comment="Lett å <kopiere>.")
    assert r.status_code == 200, r.text
    mine = section(r.text, first)
    assert "Poengene dine for denne nominasjonen er lagret." in mine
    assert "lagret" not in section(r.text, second)
    assert 'name="score.effekt" value="4" checked' in mine
    assert 'name="score.medvirkning" value="2" checked' in mine
    assert "Lett å &lt;kopiere&gt;." in mine

    results = api.get(award["base"] + "/results", organiser=True).json()
    scored = {row["nomination_id"]: row["jurors_scored"] for row in results["ranking"]}
    assert scored == {first: 1, second: 0}
    # (2·5 + 2·4 + 1·2) / 5
    assert next(row for row in results["ranking"] if row["nomination_id"] == first)["score"] == pytest.approx(4.0)

    again = page(api, award)
    assert 'name="score.overforbar" value="5" checked' in section(again.text, first)
    assert "checked" not in section(again.text, second)
    ballot = api.get(award["base"] + f"/ballot?token={award['token']}").json()
    assert ballot["nominations"][0]["my_scores"] == FULL
    assert ballot["nominations"][0]["my_comment"] == "Lett å <kopiere>."


def test_a_missing_criterion_is_422_with_the_message(api, award):
    first, second = award["nominations"]
    r = post(api, award, second, {"overforbar": 3}, comment="Halvferdig")
    assert r.status_code == 422
    assert r.headers["Content-Type"].startswith("text/html")
    mine = section(r.text, second)
    assert "Poengene ble ikke lagret." in mine
    assert mine.count("Gi poeng for dette kriteriet.") == 2
    assert f'id="err-{second}-effekt"' in mine and f'id="err-{second}-overforbar"' not in mine
    # what was posted is shown again, not lost
    assert 'name="score.overforbar" value="3" checked' in mine and "Halvferdig" in mine
    assert "Gi poeng" not in section(r.text, first)

    nn = post(api, award, second, {}, lang="nn")
    assert nn.status_code == 422 and "Poenga vart ikkje lagra." in nn.text
    assert section(nn.text, second).count("Gi poeng for dette kriteriet.") == 3
    # a value no radio button sends is refused with the range, in the page's language
    odd = post(api, award, second, {**FULL, "effekt": "²", "medvirkning": "9"}, lang="en")
    assert odd.status_code == 422
    assert section(odd.text, second).count("The score must be a whole number from 1 to 5.") == 2
    results = api.get(award["base"] + "/results", organiser=True).json()
    assert all(row["jurors_scored"] == 0 for row in results["ranking"])


def test_after_the_winner_scoring_is_closed(api, award):
    first, second = award["nominations"]
    assert post(api, award, first, FULL).status_code == 200
    assert api.post(award["base"] + "/winner", organiser=True, json={"nomination_id": first}).status_code == 200
    shown = page(api, award)
    assert shown.status_code == 200
    assert "juryarbeidet er avsluttet" in shown.text and "<form" not in shown.text
    late = post(api, award, second, FULL)
    assert late.status_code == 409
    assert "juryarbeidet er avsluttet" in late.text and "<form" not in late.text
    ranking = api.get(award["base"] + "/results", organiser=True).json()["ranking"]
    assert {row["nomination_id"]: row["jurors_scored"] for row in ranking} == {first: 1, second: 0}


def test_a_wrong_token_is_a_small_page_for_browsers_and_json_for_others(api, award):
    for r in (page(api, award, token="feil"), api.get(award["base"] + "/ballot", headers=PAGE),
              post(api, award, award["nominations"][0], FULL, token="feil")):
        assert r.status_code == 404
        assert r.headers["Content-Type"].startswith("text/html")
        assert "Fant ikke stemmeseddelen" in r.text and "Ragnhild" not in r.text
    other = post(api, award, "n-finnes-ikke", FULL)
    assert other.status_code == 404 and "Fant ikke stemmeseddelen" in other.text
    # the 404 page speaks the language of the page the form came from
    lost = post(api, award, award["nominations"][0], FULL, token="feil", lang="nn")
    assert lost.status_code == 404 and "Fann ikkje stemmesetelen" in lost.text

    r = api.get(award["base"] + "/ballot?token=feil", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = api.post(award["base"] + "/ballot", data={"token": "feil", "nomination_id": award["nominations"][0]},
                 headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_the_json_ballot_is_unchanged(api, award):
    first, second = award["nominations"]
    r = api.get(award["base"] + f"/ballot?token={award['token']}", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    b = r.json()
    assert set(b) == {"event_id", "award", "juror", "published", "criteria", "nominations"}
    assert b["juror"] == {"name": "Ragnhild Røsvik"} and b["published"] is False
    assert [n["id"] for n in b["nominations"]] == [first, second]
    assert set(b["nominations"][0]) == {"id", "title", "municipality", "municipality_name", "reason", "summary",
                                        "contribution_id", "my_scores", "my_comment"}
    assert [c["id"] for c in b["criteria"]] == ["overforbar", "effekt", "medvirkning"]
    assert "@" not in r.text
    # no Accept header at all is a JSON client too
    plain = api.get(award["base"] + "/ballot", headers={"X-Jury-Token": award["token"]})
    assert plain.status_code == 200 and plain.json() == b
    # JSON carries the text as it was given; only the page escapes it
    assert b["nominations"][0]["title"] == "Sykkelbyen <Kristiansand>"
