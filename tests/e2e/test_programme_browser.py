"""The public programme of Grønn Praksis in a real browser: a handful of accepted contributions,
placed by the organiser, read the way a visitor meets the page. Debian's Chromium at
/usr/bin/chromium, driven by Playwright; nothing is downloaded."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OPEN = "2022-03-01T12:00:00+01:00"

BROUGHT = [
    # (presenter, municipality, kind, format, title, themes)
    ("Åse Øvrebø-Ærlandsen", "4204", "praksis", "innlegg", "Sykkelbyen Kristiansand: fra plan til vane", ["mobilitet"]),
    ("Jostein Myrvang", "4207", "praksis", "innlegg", "Ombruk av byggematerialer i Flekkefjord", ["sirkularokonomi"]),
    ("Leila Haugland Berg", "4223", "praksis", "verksted", "Naturregnskap i kommuneplanen", ["areal"]),
    ("Øystein Lien", "4203", "praksis", "innlegg", "Solceller på alle kommunale tak", ["energi"]),
    ("Kari Nordmann", "4204", "ide", "stand", "Klimabudsjett barn kan lese", []),
    ("Per Hansen", "4215", "ide", "stand", "Delingsbod for verktøy i Lillesand", ["sirkularokonomi"]),
]


@pytest.fixture
def programme_event(api, new_event):
    event = new_event("gronn-praksis-2022")
    api.clock(OPEN)
    titles = []
    for name, municipality, kind, form, title, themes in BROUGHT:
        address = f"{name.split()[0].lower()}.{uuid.uuid4().hex[:6]}@kommune.example"
        r = api.post(f"/registration/events/{event['id']}/applications", json={
            "name": name, "email": address, "organisation_type": "kommune", "municipality": municipality,
            "role": "radgiver", "sector": "klima_miljo", "experience": "noe", "language": "nb",
            "theme": themes[0] if themes else "mobilitet", "consent": True})
        assert r.status_code == 201, r.text
        app = r.json()
        c = api.post(f"/registration/applications/{app['id']}/contributions",
                     headers={"X-Application-Token": app["token"]},
                     json={"kind": kind, "format": form, "title": title, "themes": themes,
                           "summary": "Erfaringer vi gjerne deler.", "municipality": municipality, "presenters": []})
        assert c.status_code == 201, c.text
        assert api.put(f"/registration/contributions/{c.json()['id']}/decision", organiser=True,
                       json={"status": "accepted"}).status_code == 200
        titles.append(title)
    placed = api.post(f"/registration/events/{event['id']}/programme", organiser=True)
    assert placed.status_code == 200 and placed.json()["unplaced"] == []
    return event, titles


@pytest.fixture
def page(tmp_path):
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"{CHROMIUM} is missing: run `make browser` to install Debian's Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS, locale="nb-NO",
            viewport={"width": 1000, "height": 900}, timeout=15_000)
        try:
            context.set_default_timeout(5_000)
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def test_public_programme_page_shows_sessions_and_contributions_never_addresses(platform, programme_event, page,
                                                                              tmp_path):
    """Also takes the picture in docs/; set SAMLING_SCREENSHOTS=docs to write it there instead of tmp."""
    event, titles = programme_event
    page.goto(f"{platform.url}/registration/events/{event['id']}/programme")
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.get_by_role("heading", level=1).inner_text() == "Grønn Praksis 2022"
    assert page.get_by_role("heading", level=2).all_inner_texts() == ["mandag 30. mai 2022", "tirsdag 31. mai 2022"]

    sessions = page.locator("article.session")
    expected = [s["id"] for s in sorted(event["sessions"], key=lambda s: s["start"])]
    assert [sessions.nth(i).get_attribute("data-session") for i in range(sessions.count())] == expected
    assert page.locator("#session-mobilitet-1 h3").inner_text() == "Praksis: mobilitet og transport"

    shown = page.locator(".contribution-title").all_inner_texts()
    assert sorted(shown) == sorted(titles)
    # a themed contribution lands in its theme's session, and says what it is and who brings it
    cycling = page.locator("#session-mobilitet-1 .contribution").filter(has_text="Sykkelbyen Kristiansand")
    assert cycling.locator(".meta").first.inner_text() == "Praksis · Innlegg · Kristiansand"
    assert cycling.locator(".presenters").inner_text() == "Ved: Åse Øvrebø-Ærlandsen"
    # a workshop goes to the workshop on its theme, not to the talks on it
    assert page.locator("#session-areal-2 .contribution-title").all_inner_texts() == ["Naturregnskap i kommuneplanen"]
    assert page.locator("#session-areal-1 .contribution-title").all_inner_texts() == []
    assert sorted(page.locator("#session-standtorget .contribution-title").all_inner_texts()) == sorted(
        ["Klimabudsjett barn kan lese", "Delingsbod for verktøy i Lillesand"])

    body = page.locator("body").inner_text()
    assert "@" not in body and "@" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    out = Path(os.environ.get("SAMLING_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / "programme-gronn-praksis.png"), full_page=True)


def test_the_page_in_english(platform, programme_event, page):
    event, _ = programme_event
    page.goto(f"{platform.url}/registration/events/{event['id']}/programme?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Green Practice 2022"
    assert page.locator("#session-standtorget h3").inner_text() == "Exhibition stands"
    assert "Idea · Stand" in page.locator("body").inner_text()
