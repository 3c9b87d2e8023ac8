"""The server-rendered application form in a real browser, the way an applicant meets it: typed
into in nynorsk, posted by Chromium as the browser encodes it (UTF-8, urlencoded), answered with
the receipt or with the form again and the messages next to the fields."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.e2e.browser import chromium_page

pytestmark = pytest.mark.browser

SEED = "klimasamling-more-og-romsdal-2021"   # nynorsk first, first come first served
OPEN = "2021-06-01T12:00:00+02:00"             # inside its registration window
NAME = "Åse Øvrebø-Ærlandsen"


@pytest.fixture
def event(api, new_event):
    created = new_event(SEED)
    api.clock(OPEN)
    return created


@pytest.fixture
def page(tmp_path):
    with chromium_page(tmp_path / "profile") as p:
        yield p


def open_form(page, platform, event) -> None:
    page.goto(f"{platform.url}/registration/events/{event['id']}/form?lang=nn")
    assert page.locator("html").get_attribute("lang") == "nn"
    assert page.locator("h1").inner_text() == "Klimasamling for kommunane i Møre og Romsdal 2021"


def fill_like_a_person(page, email: str) -> None:
    """Type and pick by the visible nynorsk labels, never by the values behind them."""
    page.get_by_label("Fullt namn").press_sequentially(NAME)
    page.get_by_label("E-postadresse").press_sequentially(email)
    page.get_by_label("Kvar jobbar du?").select_option(label="Kommune")
    page.get_by_label(re.compile(r"^Kommune\b")).press_sequentially("Ålesund")
    page.get_by_label("Rolle").select_option(label="Rådgivar")
    page.get_by_label("Fagområde").select_option(label="Klima og miljø")
    page.get_by_label("Noko erfaring").check()
    page.get_by_label("Kvifor vil du delta?", exact=False).press_sequentially(
        "Eg vil lære korleis nabokommunane kuttar utslepp.")
    page.get_by_label("Eg samtykkjer", exact=False).check()


def submit(page) -> int:
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Send påmelding").click()
    page.wait_for_load_state()
    return answer.value.status


def applications(api, event) -> list[dict]:
    r = api.get(f"/registration/events/{event['id']}/applications", organiser=True)
    assert r.status_code == 200, r.text
    return r.json()


def test_nynorsk_applicant_fills_in_the_form_and_gets_a_nynorsk_receipt(api, platform, event, page):
    open_form(page, platform, event)
    # the municipality field offers the registry's names, so "Ålesund" is a suggestion, not a guess
    assert page.locator("#municipality-list option[value='1508 Ålesund']").count() == 1
    fill_like_a_person(page, "ase.ovrebo@kommune.example")

    assert submit(page) == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Takk for påmeldinga!"
    assert page.locator("#status").inner_text() == "Status: Du har fått plass"
    assert "ase.ovrebo@kommune.example" in page.locator("body").inner_text()
    assert page.locator("html").get_attribute("lang") == "nn"

    [app] = applications(api, event)
    assert app["name"] == NAME
    assert app["email"] == "ase.ovrebo@kommune.example"
    assert app["municipality"] == "1508"
    assert app["language"] == "nn"
    assert app["organisation_type"] == "kommune"
    assert app["sector"] == "klima_miljo" and app["experience"] == "noe" and app["role"] == "radgiver"
    assert app["consent"] is True
    assert app["status"] == "confirmed"


def test_a_bad_email_is_shown_next_to_the_field_and_the_other_answers_stay(api, platform, event, page):
    open_form(page, platform, event)
    fill_like_a_person(page, "ikkje-ei-adresse")
    page.get_by_label("Opning og felles fagprogram").check()
    page.get_by_label("Frå plan til handling i eigen kommune").check()

    assert submit(page) == 422
    message = "Skriv inn ei gyldig e-postadresse."
    assert page.locator("#email-error").inner_text() == message
    # the message sits right after the email field, not somewhere else on the page
    assert page.locator("#email + #email-error").count() == 1
    summary = page.get_by_role("alert")
    assert message in summary.inner_text()
    assert summary.get_by_role("link", name=message).get_attribute("href") == "#email"
    assert page.locator("span.error").count() == 1   # only the email was wrong

    assert page.locator("#email").input_value() == "ikkje-ei-adresse"
    assert page.locator("#name").input_value() == NAME
    assert page.locator("#organisation_type").input_value() == "kommune"
    assert page.locator("#municipality").input_value() == "Ålesund"
    assert page.locator("#role").input_value() == "radgiver"
    assert page.locator("#sector").input_value() == "klima_miljo"
    assert page.locator("#experience-noe").is_checked()
    assert page.locator("#consent").is_checked()
    assert page.locator("#motivation").input_value() == "Eg vil lære korleis nabokommunane kuttar utslepp."
    # both ticked sessions are still ticked, the others still not
    assert page.locator("#session-opning").is_checked() and page.locator("#session-dag2").is_checked()
    assert not page.locator("#session-verkstader").is_checked()
    # the wrong field says so to a screen reader, and which message belongs to it
    assert page.locator("#email").get_attribute("aria-invalid") == "true"
    assert "email-error" in page.locator("#email").get_attribute("aria-describedby").split()
    assert page.locator("#name").get_attribute("aria-invalid") is None
    assert applications(api, event) == []

    # correcting the one field is enough
    page.locator("#email").fill("ase.rettar@kommune.example")
    assert submit(page) == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Takk for påmeldinga!"
    [app] = applications(api, event)
    assert app["email"] == "ase.rettar@kommune.example" and app["sessions"] == ["opning", "dag2"]


def test_screenshot_of_the_filled_nynorsk_form(api, platform, event, page, tmp_path):
    """The picture in docs/; set SAMLING_SCREENSHOTS=docs to write it there instead of tmp."""
    from PIL import Image

    open_form(page, platform, event)
    fill_like_a_person(page, "ase.ovrebo@kommune.example")
    # nothing sticks out sideways at a laptop's width
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    out = Path(os.environ.get("SAMLING_SCREENSHOTS") or tmp_path) / "form-nynorsk.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out), full_page=True)

    with Image.open(out) as shot:
        width, height = shot.size
        assert width == page.viewport_size["width"]
        assert height > page.viewport_size["height"]   # the whole form, not the first screen
        # a point inside the button, left of its text, in page (not viewport) coordinates
        x, y = page.get_by_role("button", name="Send påmelding").evaluate(
            "b => { const r = b.getBoundingClientRect();"
            " return [r.left + scrollX + 6, r.top + scrollY + r.height / 2]; }")
        centre = (int(x), int(y))
        # the submit button is drawn in the house colour
        assert shot.convert("RGB").getpixel(centre) == (0x00, 0x5B, 0x5C)
