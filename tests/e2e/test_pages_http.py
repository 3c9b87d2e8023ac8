"""Registration's HTML pages over the platform's HTTP port, as a browser without JavaScript uses
them: the form keeps what was answered and says what is wrong in the form's order, pages speak the
event's first language when nothing else tells, the manage page shows the application and lets
its owner answer an offer, change the answers and withdraw, and the Grønn Praksis form registers
the applicant and what they bring in one go."""
from __future__ import annotations

import html as htmllib
import itertools
import re
import uuid
from urllib.parse import urlsplit

import pytest

MORE = "klimasamling-more-og-romsdal-2021"   # nynorsk first, first come, a leaders' session
MORE_OPEN = "2021-06-01T12:00:00+02:00"
KRONSJ = "klimakronsj-2021"                    # bokmål first, selection by application
KRONSJ_OPEN = "2021-06-01T12:00:00+02:00"
KRONSJ_AFTER = "2021-06-22T09:00:00+02:00"     # after the deadline, before any offer runs out
GP = "gronn-praksis-2022"
GP_OPEN = "2022-03-01T12:00:00+01:00"          # registration and contributions open
HTML = {"Accept": "text/html,application/xhtml+xml"}
_n = itertools.count(1)


def email(tag: str) -> str:
    return f"{tag}.{next(_n)}.{uuid.uuid4().hex[:6]}@kommune.example"


def form_fields(**extra) -> dict:
    fields = {"name": "Åse Øvrebø-Ærlandsen", "email": email("side"), "organisation_type": "kommune",
              "municipality": "Ålesund", "role": "radgiver", "sector": "klima_miljo", "experience": "noe",
              "motivation": "Eg vil lære.", "consent": "on", "language": "nn"}
    fields.update(extra)
    return fields


def json_applicant(**extra) -> dict:
    body = {"name": "Kari Nordmann", "email": email("json"), "organisation_type": "kommune",
            "municipality": "1508", "role": "radgiver", "sector": "klima_miljo", "experience": "noe",
            "motivation": "Eg vil lære.", "language": "nn", "consent": True}
    body.update(extra)
    return body


def applied(api, event_id: str, **extra) -> dict:
    r = api.post(f"/registration/events/{event_id}/applications", json=json_applicant(**extra))
    assert r.status_code == 201, r.text
    return r.json()


def own(api, app: dict) -> dict:
    r = api.get(f"/registration/applications/{app['id']}", params={"token": app["token"]})
    assert r.status_code == 200, r.text
    return r.json()


def manage_path(app: dict, tail: str = "") -> str:
    return f"/registration/applications/{app['id']}/manage{tail}"


def tag(page: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    found = re.search(rf'<[a-z]+ [^>]*id="{re.escape(element_id)}"[^>]*>', page)
    assert found, f"no element #{element_id}"
    return found.group(0)


def text_of(page: str, element_id: str) -> str:
    found = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</', page, re.S)
    assert found, f"no element #{element_id}"
    return htmllib.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def label_of(page: str, field_id: str) -> str:
    found = re.search(rf'<label for="{re.escape(field_id)}">(.*?)</label>', page, re.S)
    assert found, f"no label for #{field_id}"
    return htmllib.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def summary_targets(page: str) -> list[str]:
    summary = re.search(r'<div class="summary" role="alert">(.*?)</div>', page, re.S)
    assert summary, "no error summary"
    return re.findall(r'<a href="#([^"]+)"', summary.group(1))


@pytest.fixture
def more(api, new_event):
    event = new_event(MORE)
    api.clock(MORE_OPEN)
    return event


# --- the form -----------------------------------------------------------------------------------
@pytest.mark.parametrize("ticked", [["opning"], ["opning", "dag2"]])
def test_ticked_sessions_stay_ticked_when_the_form_comes_back(api, more, ticked):
    r = api.post(f"/registration/events/{more['id']}/form",
                 data={**form_fields(email="ikkje-ei-adresse"), "sessions": ticked})
    assert r.status_code == 422
    for session in ("opning", "verkstader", "toppleiarforum", "dag2"):
        assert (" checked" in tag(r.text, f"session-{session}")) == (session in ticked), session


def test_errors_are_listed_in_the_forms_order_and_tied_to_their_fields(api, more):
    r = api.post(f"/registration/events/{more['id']}/form",
                 data={"language": "nn", "email": "ikkje-ei-adresse", "municipality": "Atlantis"})
    assert r.status_code == 422
    targets = summary_targets(r.text)
    assert {"name", "email", "organisation_type", "consent"} <= set(targets)
    positions = [r.text.index(f'id="{target}"') for target in targets]
    assert positions == sorted(positions), targets
    for field in targets:
        opening = tag(r.text, field)
        assert 'aria-invalid="true"' in opening, field
        described = re.search(r'aria-describedby="([^"]+)"', opening).group(1).split()
        assert f"{field}-error" in described
        assert f'id="{field}-error"' in r.text
    assert text_of(r.text, "email-error") == "Skriv inn ei gyldig e-postadresse."
    # a field that was right carries no such marks
    assert "aria-invalid" not in tag(r.text, "phone")


def test_required_fields_are_marked_and_the_leaders_note_does_not_repeat_the_title(api, more):
    page = api.get(f"/registration/events/{more['id']}/form").text
    for field in ("name", "email", "organisation_type", "consent"):
        assert "(må fyllast ut)" in label_of(page, field), field
    for field in ("phone", "dietary", "motivation"):
        assert "(må fyllast ut)" not in label_of(page, field), field
    leaders = label_of(page, "session-toppleiarforum")
    assert leaders == "Toppleiarforum for ordførarar og kommunedirektørar"
    # the form's text is in the page's font, and legends read like labels
    assert re.search(r"textarea[^{]*\{[^}]*font: inherit", page)
    assert re.search(r"label, legend \{[^}]*font-weight: 600", page)


def test_a_leaders_session_whose_title_does_not_say_so_gets_a_light_hint(api, new_event):
    from pathlib import Path

    import yaml

    seed = yaml.safe_load((Path(__file__).resolve().parents[2] / "events" / f"{MORE}.yaml").read_text("utf-8"))
    sessions = seed["sessions"]
    for s in sessions:
        if s["audience"] == "leaders":
            s["title"] = {"nn": "Leiarsamtale", "nb": "Ledersamtale"}
        for key in ("start", "end"):
            s[key] = str(s[key])
    event = new_event(MORE, sessions=sessions)
    api.clock(MORE_OPEN)
    page = api.get(f"/registration/events/{event['id']}/form").text
    found = re.search(r'<label for="session-toppleiarforum">Leiarsamtale <span class="hint">\(([^)]+)\)</span>', page)
    assert found and found.group(1) == "berre for ordførarar og kommunedirektørar"


# --- language -----------------------------------------------------------------------------------
def test_without_any_language_signal_pages_and_json_errors_use_the_events_first_language(api, more, new_event):
    form = api.get(f"/registration/events/{more['id']}/form")
    assert '<html lang="nn">' in form.text
    assert "Fullt namn" in form.text
    posted = api.post(f"/registration/events/{more['id']}/form", data={"email": "x"})
    assert posted.status_code == 422 and '<html lang="nn">' in posted.text
    assert text_of(posted.text, "name-error") == "Skriv inn namnet ditt."

    bad = api.post(f"/registration/events/{more['id']}/applications", json={"email": "x"})
    assert bad.status_code == 422
    assert bad.json()["error"]["message"] == "Nokre av svara må rettast. Sjå merknadene ved felta."
    # a signal still wins over the event's first language
    told = api.post(f"/registration/events/{more['id']}/applications", json={"email": "x"},
                    headers={"Accept-Language": "nb-NO,nb;q=0.9"})
    assert told.json()["error"]["message"] == "Noen av svarene må rettes. Se merknadene ved feltene."
    assert '<html lang="en">' in api.get(f"/registration/events/{more['id']}/form?lang=en").text
    # a bokmål-first event stays bokmål
    kronsj = new_event(KRONSJ)
    api.clock(KRONSJ_OPEN)
    assert '<html lang="nb">' in api.get(f"/registration/events/{kronsj['id']}/form").text
    created = api.post(f"/registration/events/{more['id']}/applications",
                       json={k: v for k, v in json_applicant().items() if k != "language"})
    assert created.status_code == 201
    assert own(api, created.json())["language"] == "nn"


# --- receipt and manage page --------------------------------------------------------------------
def test_a_name_with_markup_is_shown_escaped_on_the_receipt_and_the_manage_page(api, more):
    name = "Kari <script>alert(1)</script>"
    receipt = api.post(f"/registration/events/{more['id']}/form", data=form_fields(name=name))
    assert receipt.status_code == 200, receipt.text
    manage_url = re.search(r'href="([^"]*/manage\?token=[^"]+)"', receipt.text).group(1)
    page = api.get(urlsplit(htmllib.unescape(manage_url))._replace(scheme="", netloc="").geturl())
    assert page.status_code == 200
    for shown in (receipt.text, page.text):
        assert "<script>alert(1)" not in shown
    assert text_of(receipt.text, "applicant") == f"Fullt namn: {name}"
    assert "Kari &lt;script&gt;alert(1)&lt;/script&gt;" in receipt.text
    assert "Kari &lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_the_manage_page_shows_status_answers_and_lets_the_owner_change_them(api, more):
    app = applied(api, more["id"], name="Per Ødegård", dietary="Vegetar", sessions=["opning", "dag2"])
    page = api.get(manage_path(app), params={"token": app["token"]})
    assert page.status_code == 200
    assert text_of(page.text, "status") == "Status: Du har fått plass"
    for shown in ("Per Ødegård", "Ålesund (1508)", "Rådgivar", "Vegetar", "Frå plan til handling i eigen kommune"):
        assert shown in page.text, shown
    assert "respond-by" not in page.text   # no offer to answer in a first-come event

    edit_url = htmllib.unescape(re.search(r'id="edit-link" href="([^"]+)"', page.text).group(1))
    form = api.get(edit_url)
    assert form.status_code == 200
    assert 'value="Per Ødegård"' in form.text and 'value="1508 Ålesund"' in form.text
    assert " checked" in tag(form.text, "session-dag2") and " checked" not in tag(form.text, "session-verkstader")
    assert f'name="token" value="{app["token"]}"' in form.text

    fields = form_fields(name="Per Ødegård", email=own(api, app)["email"], dietary="Vegetar",
                         sessions=["opning", "dag2"], token=app["token"])
    wrong = api.post(manage_path(app, "/edit"), data={**fields, "phone": "ring meg"})
    assert wrong.status_code == 422
    assert 'aria-invalid="true"' in tag(wrong.text, "phone") and 'id="phone-error"' in wrong.text
    assert summary_targets(wrong.text) == ["phone"]
    assert own(api, app)["phone"] is None

    done = api.post(manage_path(app, "/edit"), data={**fields, "dietary": "Glutenfri", "sessions": ["dag2"]})
    assert done.status_code == 200
    assert text_of(done.text, "done") == "Endringane er lagra."
    changed = own(api, app)
    assert changed["dietary"] == "Glutenfri" and changed["sessions"] == ["dag2"]


def test_withdrawing_on_the_page_confirms_and_the_buttons_go(api, more):
    app = applied(api, more["id"])
    page = api.get(manage_path(app), params={"token": app["token"]}).text
    assert 'action="/registration/applications/{}/manage/withdraw"'.format(app["id"]) in page
    done = api.post(manage_path(app, "/withdraw"), data={"token": app["token"]})
    assert done.status_code == 200
    assert text_of(done.text, "done") == "Påmeldinga er trekt. Takk for at du sa frå."
    assert own(api, app)["status"] == "withdrawn"
    after = api.get(manage_path(app), params={"token": app["token"]}).text
    assert text_of(after, "status") == "Status: Du har trekt påmeldinga"
    assert "/manage/withdraw" not in after and "edit-link" not in after
    again = api.post(manage_path(app, "/withdraw"), data={"token": app["token"]})
    assert again.status_code == 409 and 'class="notice" role="alert"' in again.text


def test_after_the_deadline_there_is_no_edit_link(api, more):
    app = applied(api, more["id"])
    api.clock("2021-09-16T09:00:00+02:00")
    page = api.get(manage_path(app), params={"token": app["token"]}).text
    assert "edit-link" not in page and "/manage/withdraw" in page
    refused = api.post(manage_path(app, "/edit"), data=form_fields(token=app["token"]))
    assert refused.status_code == 409 and "Påmeldingsfristen har gått ut." in refused.text


def test_a_wrong_token_gives_browsers_a_page_and_other_clients_the_contracts_error(api, more):
    app = applied(api, more["id"])
    for path in (manage_path(app), manage_path(app, "/edit")):
        browser = api.get(path, params={"token": "feil"}, headers={**HTML, "Accept-Language": "nn"})
        assert browser.status_code == 404 and browser.headers["Content-Type"].startswith("text/html")
        assert "<h1>Fann ikkje sida</h1>" in browser.text and app["token"] not in browser.text
        client = api.get(path)
        assert client.status_code == 404 and client.json()["error"]["code"] == "not_found"
    posted = api.post(manage_path(app, "/withdraw"), data={"token": "feil", "language": "nn"}, headers=HTML)
    assert posted.status_code == 404 and "<h1>Fann ikkje sida</h1>" in posted.text
    assert own(api, app)["status"] == "confirmed"


def test_an_offer_is_accepted_on_the_manage_page(api, new_event):
    event = new_event(KRONSJ, registration__capacity=1)
    api.clock(KRONSJ_OPEN)
    app = applied(api, event["id"], language="nb")
    declining = applied(api, event["id"], language="en", municipality="4204")
    api.clock(KRONSJ_AFTER)
    r = api.post(f"/registration/events/{event['id']}/selection", organiser=True)
    assert r.status_code == 200, r.text
    offered = next(a for a in (app, declining) if own(api, a)["status"] == "offered")
    waiting = declining if offered is app else app
    page = api.get(manage_path(offered), params={"token": offered["token"]}).text
    assert text_of(page, "respond-by").startswith("Svar senest" if offered is app else "Answer by")
    assert "23:59" in text_of(page, "respond-by")
    assert page.count(f'action="{manage_path(offered, "/offer")}"') == 2
    assert "offer-heading" not in api.get(manage_path(waiting), params={"token": waiting["token"]}).text

    done = api.post(manage_path(offered, "/offer"), data={"token": offered["token"], "accept": "yes"})
    assert done.status_code == 200, done.text
    assert text_of(done.text, "done") in ("Du har takket ja. Velkommen! Du får en bekreftelse på e-post.",
                                           "You have accepted. Welcome! A confirmation is on its way by email.")
    assert own(api, offered)["status"] == "confirmed"
    assert "offer-heading" not in api.get(manage_path(offered), params={"token": offered["token"]}).text


def test_an_offer_past_its_answer_time_shows_as_run_out_without_buttons(api, new_event):
    event = new_event(KRONSJ, registration__capacity=1)
    api.clock(KRONSJ_OPEN)
    app = applied(api, event["id"], language="nb")
    api.clock(KRONSJ_AFTER)
    assert api.post(f"/registration/events/{event['id']}/selection", organiser=True).status_code == 200
    api.clock("2021-07-15T12:00:00+02:00")   # weeks later, whether or not the sweep has run
    page = api.get(manage_path(app), params={"token": app["token"]}).text
    assert text_of(page, "status") == "Status: Svarfristen for tilbudet gikk ut"
    assert "/manage/offer" not in page
    late = api.post(manage_path(app, "/offer"), data={"token": app["token"], "accept": "yes"})
    assert late.status_code == 409 and own(api, app)["status"] == "expired"


def test_declining_an_offer_on_the_page_passes_the_place_on(api, new_event):
    event = new_event(KRONSJ, registration__capacity=1)
    api.clock(KRONSJ_OPEN)
    first = applied(api, event["id"], language="nb")
    second = applied(api, event["id"], language="nb", municipality="4204")
    api.clock(KRONSJ_AFTER)
    assert api.post(f"/registration/events/{event['id']}/selection", organiser=True).status_code == 200
    offered = next(a for a in (first, second) if own(api, a)["status"] == "offered")
    other = second if offered is first else first
    done = api.post(manage_path(offered, "/offer"), data={"token": offered["token"], "accept": "no"})
    assert done.status_code == 200
    assert text_of(done.text, "done").startswith("Du har takket nei.")
    assert own(api, offered)["status"] == "declined" and own(api, other)["status"] == "offered"


# --- Grønn Praksis: register and bring an example in one go -------------------------------------
@pytest.fixture
def gp(api, new_event):
    event = new_event(GP)
    api.clock(GP_OPEN)
    return event


def gp_fields(**extra) -> dict:
    fields = {"name": "Åse Øvrebø-Ærlandsen", "email": email("gp"), "organisation_type": "kommune",
              "municipality": "4204", "role": "radgiver", "theme": "mobilitet", "consent": "on",
              "language": "nb"}
    fields.update(extra)
    return fields


def test_the_form_registers_the_applicant_and_their_contribution(api, gp):
    page = api.get(f"/registration/events/{gp['id']}/form").text
    for field in ("contribution_title", "contribution_summary", "contribution_kind-praksis",
                  "contribution_format-verksted", "contribution_themes-areal"):
        assert f'id="{field}"' in page, field
    fields = gp_fields(contribution_kind="praksis", contribution_format="stand",
                       contribution_title="Grønne innkjøp i Kristiansand",
                       contribution_summary="Slik kuttet vi utslipp i anbud.",
                       contribution_themes=["sirkularokonomi", "energi"])
    r = api.post(f"/registration/events/{gp['id']}/form", data=fields)
    assert r.status_code == 200, r.text
    assert "Grønne innkjøp i Kristiansand" in text_of(r.text, "contribution-added")
    token = re.search(r"/manage\?token=([^\"&]+)", r.text).group(1)
    [app] = api.get(f"/registration/events/{gp['id']}/applications", organiser=True).json()
    assert app["email"] == fields["email"]
    [brought] = api.get(f"/registration/applications/{app['id']}/contributions", params={"token": token}).json()
    assert (brought["kind"], brought["format"], brought["title"], brought["themes"], brought["status"]) == (
        "praksis", "stand", "Grønne innkjøp i Kristiansand", ["sirkularokonomi", "energi"], "submitted")
    assert brought["presenters"] == [{"name": "Åse Øvrebø-Ærlandsen", "email": fields["email"]}]

    manage = api.get(f"/registration/applications/{app['id']}/manage", params={"token": token}).text
    assert "Bidragene dine" in manage
    assert re.search(r"Grønne innkjøp i Kristiansand</strong> – Praksis, stand: "
                     r'<span class="contribution-status">til vurdering</span>', manage)


def test_a_bad_contribution_comes_back_on_the_form_and_nothing_is_created(api, gp):
    fields = gp_fields(name="", theme="", contribution_kind="praksis", contribution_title="Uten beskrivelse",
                       contribution_themes=["areal"])
    r = api.post(f"/registration/events/{gp['id']}/form", data=fields)
    assert r.status_code == 422
    targets = summary_targets(r.text)
    assert targets == ["name", "theme", "contribution_format", "contribution_summary"]
    assert 'aria-invalid="true"' in tag(r.text, "contribution_summary")
    assert 'value="Uten beskrivelse"' in r.text
    assert " checked" in tag(r.text, "contribution_themes-areal")
    assert " checked" in tag(r.text, "contribution_kind-praksis")
    assert api.get(f"/registration/events/{gp['id']}/applications", organiser=True).json() == []
    assert api.get(f"/registration/events/{gp['id']}/contributions", organiser=True).json() == []


def test_leaving_the_contribution_empty_registers_only_the_applicant(api, gp):
    r = api.post(f"/registration/events/{gp['id']}/form", data=gp_fields())
    assert r.status_code == 200, r.text
    assert "contribution-added" not in r.text and "contribution-not-added" not in r.text
    assert len(api.get(f"/registration/events/{gp['id']}/applications", organiser=True).json()) == 1
    assert api.get(f"/registration/events/{gp['id']}/contributions", organiser=True).json() == []
    # once contributions close, the form no longer asks for one
    api.clock("2022-04-21T09:00:00+02:00")
    page = api.get(f"/registration/events/{gp['id']}/form").text
    assert "contributions-part" in page and 'id="contribution_title"' not in page


def test_posting_again_with_the_same_address_shows_no_link_and_adds_nothing(api, gp):
    fields = gp_fields()
    first = api.post(f"/registration/events/{gp['id']}/form", data=fields)
    assert first.status_code == 200 and "/manage?token=" in first.text
    again = api.post(f"/registration/events/{gp['id']}/form", data={
        **fields, "name": "Noen Andre", "contribution_kind": "ide", "contribution_format": "stand",
        "contribution_title": "Ikke min idé", "contribution_summary": "Lagt inn av en annen."})
    assert again.status_code == 200
    # knowing someone's address must not open their application or speak in their name
    assert "/manage?token=" not in again.text
    assert "Lenken for å se eller endre den står i e-posten fra oss." in text_of(again.text, "contribution-not-added")
    assert api.get(f"/registration/events/{gp['id']}/contributions", organiser=True).json() == []
