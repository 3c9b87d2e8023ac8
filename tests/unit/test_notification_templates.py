import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import jinja2
import jinja2.meta
import pytest

from samling.notifications import render as r

OSLO = ZoneInfo("Europe/Oslo")
EVIL = "<script>alert('x')</script>"
NAME = "Åse Øvrebø-Ærlandsen"
TITLE = "Klimakrønsj 2021"
URL = "https://samling.example.no/registration/applications/a1?token=abc"

PEOPLE = [
    {"name": "Per Ødegård", "municipality_name": "Ålesund kommune", "email": "per@kommune.example"},
    {"name": "Liv Ås", "municipality_name": "Tynset kommune", "email": "liv@kommune.example"},
]

SESSIONS = [
    {"title": "Økt 1: Oppstart", "start": "2021-09-22T09:00:00+02:00",
     "end": "2021-09-22T13:00:00+02:00", "join_url": "https://example.invalid/mote", "venue": None},
    {"title": "Økt 2: Samling", "start": datetime(2021, 11, 11, 9, tzinfo=OSLO),
     "end": datetime(2021, 11, 11, 15, tzinfo=OSLO), "join_url": None,
     "venue": {"name": "Rådhuset", "address": "Kirkegata 1", "municipality": "1508"}},
]

# One value per variable any kind needs; each kind gets exactly the subset KINDS names.
VALUES = {
    "name": NAME,
    "event_title": TITLE,
    "organiser": "Miljødirektoratet",
    "manage_url": URL,
    "deadline": "2021-06-21T23:59:59+02:00",
    "status": "submitted",
    "offer_url": URL + "&offer=1",
    "respond_by": datetime(2021, 6, 30, 21, 59, tzinfo=UTC),
    "sessions": SESSIONS,
    "form_url": "https://samling.example.no/registration/events/klimakronsj-2021/form",
    "municipality_name": "Ålesund kommune",
    "session_title": "Økt 1: Oppstart",
    "session_start": "2021-09-22T09:00:00+02:00",
    "session_end": "2021-09-22T13:00:00+02:00",
    "join_url": "https://example.invalid/mote",
    "venue": None,
    "covered": True,
    "nights": ["2021-11-10", date(2021, 11, 11)],
    "extra_night": True,
    "members": PEOPLE,
    "facilitator_name": "Gro Fjellstad",
    "round": 2,
    "pairing_kind": "feedback",
    "partners": PEOPLE[:1],
    "download_url": "https://samling.example.no/certificates/certificates/c1.pdf?token=abc",
    "verify_url": "https://samling.example.no/certificates/verify/K7Q2-9XWM",
    "code": "K7Q2-9XWM",
    "subject": "Praktisk informasjon før økt 1",
    "body": "Hei alle sammen.\nHusk å teste lenka.\n\nVi ses!",
    "contribution_title": "Matsvinn i barnehagen",
    "note": "Fin idé – kort ned til 10 minutter.",
    "award_title": "GrønnPraksisPrisen 2022",
    "nominee_title": "Sykkelbyen Ørsta",
    "ballot_url": "https://samling.example.no/registration/events/gp-2022/award/ballot?token=j1",
    "winner_title": "Sykkelbyen Ørsta",
    "winner_municipality_name": "Ørsta kommune",
    "won": True,
}
URL_OF = {
    "application_received": "manage_url", "application_updated": "manage_url",
    "offer": "offer_url", "offer_reminder": "offer_url", "confirmed": "manage_url",
    "waitlisted": "manage_url", "promoted_from_waitlist": "offer_url", "invitation": "form_url",
    "deadline_reminder": "form_url", "session_reminder": "join_url",
    "certificate_issued": "download_url", "contribution_received": "manage_url",
    "jury_invitation": "ballot_url",
}
LANGS = ("nb", "nn", "en")


def context_for(kind, **overrides):
    ctx = {k: VALUES[k] for k in r.KINDS[kind]}
    ctx.update(overrides)
    return ctx


def test_sample_values_cover_every_declared_variable():
    assert set().union(*r.KINDS.values()) <= VALUES.keys()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", sorted(r.KINDS))
def test_every_kind_renders_in_every_language(kind, lang):
    mail = r.render(kind, lang, context_for(kind))
    assert mail.subject.strip() and "\n" not in mail.subject
    assert len(mail.subject) < 140
    assert TITLE in mail.text and TITLE in mail.html
    assert "Miljødirektoratet" in mail.text.split("--")[0]  # signed, not only in the footer
    if "name" in r.KINDS[kind]:
        assert NAME in mail.text
    if kind in URL_OF:
        url = VALUES[URL_OF[kind]]
        assert url in mail.text
        assert f'href="{jinja2.filters.escape(url)}"' in mail.html
    assert mail.html.startswith("<!DOCTYPE html>") and f'lang="{lang}"' in mail.html
    # Nothing of the template language may leak through into what people read.
    for part in (mail.subject, mail.text, mail.html):
        assert "{{" not in part and "{%" not in part and "None" not in part


@pytest.mark.parametrize("kind", sorted(r.KINDS))
def test_kinds_lists_exactly_what_the_templates_use(kind):
    env = r.environment()
    used = set()
    for lang in LANGS:
        for suffix in ("subject.txt", "txt", "html"):
            source = env.loader.get_source(env, f"{lang}/{kind}.{suffix}")[0]
            used |= jinja2.meta.find_undeclared_variables(env.parse(source))
    layout = env.loader.get_source(env, "nb/layout.html")[0]
    used |= jinja2.meta.find_undeclared_variables(env.parse(layout)) & r.KINDS[kind]
    assert used - r.INJECTED == set(r.KINDS[kind])


@pytest.mark.parametrize("kind", sorted(r.KINDS))
def test_a_missing_variable_raises(kind):
    for missing in r.KINDS[kind]:
        ctx = context_for(kind)
        del ctx[missing]
        with pytest.raises(jinja2.UndefinedError):
            r.render(kind, "nb", ctx)


def test_a_variable_used_deep_in_a_template_is_strict():
    # The upfront check covers KINDS; StrictUndefined covers nested values such as a session.
    broken = [{"start": SESSIONS[0]["start"], "end": SESSIONS[0]["end"]}]
    with pytest.raises(jinja2.UndefinedError):
        r.render("confirmed", "nb", context_for("confirmed", sessions=broken))


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        r.render("spam", "nb", {})


@pytest.mark.parametrize("lang", ["de", "", "xx-YY"])
def test_unknown_language_falls_back_to_bokmal(lang):
    assert r.render("withdrawn", lang, context_for("withdrawn")) == \
        r.render("withdrawn", "nb", context_for("withdrawn"))


def test_regional_language_tags_are_understood():
    assert r.render("offer", "nn-NO", context_for("offer")) == \
        r.render("offer", "nn", context_for("offer"))
    assert "Tilbod" in r.render("offer", "nn", context_for("offer")).subject


@pytest.mark.parametrize("lang", LANGS)
def test_names_are_escaped_in_html(lang):
    people = [{"name": EVIL, "municipality_name": "Ålesund kommune", "email": "x@kommune.example"}]
    mail = r.render("group_assigned", lang, context_for("group_assigned", name=EVIL, members=people,
                                                        facilitator_name=EVIL))
    assert "<script>" not in mail.html
    assert "&lt;script&gt;" in mail.html
    assert EVIL in mail.text  # plain text is not HTML: shown as typed


@pytest.mark.parametrize("lang", LANGS)
def test_broadcast_body_is_escaped_and_keeps_its_lines(lang):
    body = f"Første linje {EVIL}\nAndre linje & mer\n\nNytt avsnitt"
    mail = r.render("broadcast", lang, context_for("broadcast", body=body, subject="Viktig <b>"))
    assert "<script>" not in mail.html
    assert "Første linje &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;<br>" in mail.html
    assert "Andre linje &amp; mer</p>" in mail.html
    assert ">Nytt avsnitt</p>" in mail.html
    assert mail.subject == "Viktig <b>"
    assert body in mail.text


def test_broadcast_subject_is_one_line():
    mail = r.render("broadcast", "en", context_for("broadcast", subject="Line one\r\nBcc: x@y"))
    assert mail.subject == "Line one Bcc: x@y"


def test_application_received_says_what_happens_next():
    nb = {s: r.render("application_received", "nb", context_for("application_received", status=s))
          for s in ("submitted", "confirmed", "waitlisted")}
    assert "etter fristen" in nb["submitted"].text.lower()
    assert "mandag 21. juni 2021 kl. 23.59" in nb["submitted"].text
    assert "fått plass" in nb["confirmed"].subject
    assert "venteliste" in nb["waitlisted"].subject
    en = r.render("application_received", "en", context_for("application_received", status="waitlisted"))
    assert "waiting list" in en.subject


def test_confirmed_lists_sessions_with_link_or_venue():
    for lang, when in (("nb", "onsdag 22. september 2021 kl. 09.00–13.00"),
                       ("nn", "onsdag 22. september 2021 kl. 09.00–13.00"),
                       ("en", "Wednesday 22 September 2021, 09:00–13:00")):
        mail = r.render("confirmed", lang, context_for("confirmed"))
        assert when in mail.text and when in mail.html
        assert "https://example.invalid/mote" in mail.text
        assert "Rådhuset, Kirkegata 1" in mail.text
        assert "Økt 2: Samling" in mail.html


def test_accommodation_covered_and_not():
    covered = r.render("accommodation", "nb", context_for("accommodation"))
    assert "natt til torsdag 11. november 2021" in covered.text
    assert "natt til fredag 12. november 2021" in covered.text
    assert "ekstra overnatting" in covered.text
    en = r.render("accommodation", "en", context_for("accommodation"))
    assert "night of 10–11 November 2021" in en.text
    short = r.render("accommodation", "nn", context_for("accommodation", extra_night=False))
    assert "ekstra" not in short.text
    uncovered = r.render("accommodation", "nn", context_for("accommodation", covered=False))
    assert "Ålesund kommune" in uncovered.text and "ikkje" in uncovered.text
    assert uncovered.subject != covered.subject


def test_partner_mail_differs_by_kind_and_lists_emails():
    fb = r.render("partner_assigned", "nb", context_for("partner_assigned"))
    nw = r.render("partner_assigned", "nb", context_for("partner_assigned", pairing_kind="networking"))
    assert "tilbakemelding" in fb.subject and "Nettverkspartner" in nw.subject
    assert "runde 2" in fb.text
    assert "per@kommune.example" in fb.text and "mailto:per@kommune.example" in fb.html


def test_contribution_decision_note_and_session():
    ok = r.render("contribution_decision", "nb",
                  context_for("contribution_decision", status="accepted", session_title="Økt 3"))
    assert "Økt 3" in ok.text and "Fin idé" in ok.text
    no = r.render("contribution_decision", "nb",
                  context_for("contribution_decision", status="rejected", note=None, session_title=None))
    assert "ikke plass" in no.text and "Kommentar" not in no.text


def test_award_result_for_losing_nominee_names_the_winner():
    mail = r.render("award_result_nominator", "en",
                    context_for("award_result_nominator", won=False, winner_title="Lys i Lom",
                                winner_municipality_name="Lom kommune"))
    assert "Lys i Lom" in mail.text and "from Lom kommune" in mail.text


@pytest.mark.parametrize(("lang", "expected"), [
    ("nb", "onsdag 22. september 2021 kl. 09.00"),
    ("nn", "onsdag 22. september 2021 kl. 09.00"),
    ("en", "Wednesday 22 September 2021 at 09:00"),
])
def test_datetime_format(lang, expected):
    assert r.format_datetime("2021-09-22T07:00:00+00:00", lang) == expected
    assert r.format_datetime(datetime(2021, 9, 22, 7, tzinfo=UTC), lang) == expected


def test_weekday_names_per_language():
    monday_to_sunday = [datetime(2021, 9, 20 + i, 12, tzinfo=OSLO) for i in range(7)]
    assert [r.format_date(d, "nn").split()[0] for d in monday_to_sunday] == \
        ["måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag"]
    assert [r.format_date(d, "nb").split()[0] for d in monday_to_sunday] == \
        ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
    assert r.format_date(date(2021, 12, 5), "en") == "Sunday 5 December 2021"


def test_times_are_shown_in_oslo_across_dst():
    assert r.format_datetime("2021-10-31T08:00:00Z", "nb") == "søndag 31. oktober 2021 kl. 09.00"
    assert r.format_datetime("2021-10-30T08:00:00Z", "nb") == "lørdag 30. oktober 2021 kl. 10.00"
    # 23:30 UTC is already the next day in Oslo.
    assert r.format_date("2021-06-21T22:30:00+00:00", "nb") == "tirsdag 22. juni 2021"


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        r.format_datetime("2021-09-22T09:00:00", "nb")


def test_nights_across_month_and_year():
    assert r.format_night("2021-11-30", "en") == "night of 30 November – 1 December 2021"
    assert r.format_night("2021-12-31", "en") == "night of 31 December 2021 – 1 January 2022"
    assert r.format_night("2021-12-31", "nn") == "natt til laurdag 1. januar 2022"


def test_timespan_over_several_days():
    text = r.format_timespan("2021-11-10T12:00:00+01:00", "2021-11-11T15:00:00+01:00", "en")
    assert text == "Wednesday 10 November 2021 at 12:00 – Thursday 11 November 2021 at 15:00"


def test_texts_have_no_runs_of_blank_lines():
    for kind in r.KINDS:
        mail = r.render(kind, "nb", context_for(kind))
        assert "\n\n\n" not in mail.text
        assert not re.search(r"[ \t]+\n", mail.text)


# --- the rendered mail as sent through SES --------------------------------------------------

from email import message_from_bytes, policy  # noqa: E402

from samling.notifications import ics, mime  # noqa: E402


def test_mime_round_trip_with_norwegian_letters_and_an_invitation():
    mail = r.render("confirmed", "nb", context_for("confirmed"))
    cal = ics.calendar_for("klimakronsj-2021", TITLE, "Miljødirektoratet",
                           [ics.SessionInfo("s1", "Økt 1", "2021-09-22T09:00:00+02:00",
                                            "2021-09-22T13:00:00+02:00")], "a1",
                           now=datetime(2021, 9, 1, tzinfo=UTC))
    raw = mime.build_message("Miljødirektoratet <noreply@example.no>",
                             f"{NAME} <ase@kommune.example>", mail,
                             [("invitasjon.ics", ics.CONTENT_TYPE, cal)],
                             {"Reply-To": "Ærlig Æsøy <post@example.no>"})
    raw.decode("ascii")  # every byte 7-bit: nothing for a relay to mangle
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    back = mime.parse_message(raw)
    assert back == {"to": "ase@kommune.example", "subject": "Velkommen til Klimakrønsj 2021!",
                    "text": mail.text, "html": mail.html, "attachments": ["invitasjon.ics"]}
    assert mime.attachment_bytes(raw, "invitasjon.ics") == cal
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg.get_content_type() == "multipart/mixed"
    alt = msg.get_payload()[0]
    assert alt.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alt.get_payload()] == ["text/plain", "text/html"]
    assert str(msg["To"]) == f"{NAME} <ase@kommune.example>"
    assert str(msg["From"]) == "Miljødirektoratet <noreply@example.no>"
    assert str(msg["Reply-To"]) == "Ærlig Æsøy <post@example.no>"
    invite = msg.get_payload()[1]
    assert invite.get_content_type() == "text/calendar" and invite.get_param("method") == "REQUEST"


def test_mime_subject_with_only_special_letters():
    subject = "æøå ÆØÅ – «Grønn praksis» " + "ø" * 80
    raw = mime.build_message("noreply@example.no", "ase@kommune.example",
                             r.RenderedMail(subject, "ø", "<p>ø</p>"))
    assert mime.parse_message(raw)["subject"] == subject
    assert mime.parse_message(raw)["attachments"] == []
    assert message_from_bytes(raw, policy=policy.default).get_content_type() == "multipart/mixed"


def test_mime_refuses_header_injection_and_reserved_headers():
    mail = r.RenderedMail("Hei", "t", "<p>t</p>")
    with pytest.raises(ValueError):
        mime.build_message("noreply@example.no", "a@kommune.example\r\nBcc: b@kommune.example", mail)
    with pytest.raises(ValueError):
        mime.build_message("noreply@example.no", "a@kommune.example", mail, headers={"To": "x@y"})
    with pytest.raises(ValueError):
        mime.build_message("noreply@example.no", "a@kommune.example", mail,
                           [("a.bin", "nonsense", b"x")])


def test_broadcast_without_subject_falls_back_to_the_event_title():
    assert r.render("broadcast", "nn", context_for("broadcast", subject="  ")).subject == TITLE
