"""Every email the project sends, rendered from Jinja2 templates in nb, nn and en.

>>> mail = render("withdrawn", "nn", {"name": "Åse", "event_title": "Klimakrønsj",
...                                   "organiser": "Miljødirektoratet"})
>>> mail.subject
'Du har meldt deg av Klimakrønsj'

Templates live next to this module in ``templates/<lang>/<kind>.subject.txt``, ``<kind>.txt`` and
``<kind>.html``; the HTML ones extend a shared layout and are autoescaped. ``KINDS`` says which
context variables each kind needs: a missing one raises ``jinja2.UndefinedError`` rather than
sending a mail with a hole in it. Dates and times are shown in Europe/Oslo in the reader's
language through the ``datetime``, ``date``, ``timespan`` and ``night`` filters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape

OSLO = ZoneInfo("Europe/Oslo")
LANGUAGES = ("nb", "nn", "en")
DEFAULT_LANGUAGE = "nb"
TEMPLATE_DIR = Path(__file__).parent / "templates"

_COMMON = frozenset({"event_title", "organiser"})
_PERSON = _COMMON | {"name"}

KINDS: dict[str, frozenset[str]] = {
    # status: "submitted" (application mode: selection after the deadline), "confirmed" or
    # "waitlisted" (first come, first served).
    "application_received": _PERSON | {"manage_url", "deadline", "status"},
    "application_updated": _PERSON | {"manage_url", "deadline"},
    "offer": _PERSON | {"offer_url", "respond_by"},
    "offer_reminder": _PERSON | {"offer_url", "respond_by"},
    # sessions: [{"title", "start", "end", "join_url"?, "venue"?}]
    "confirmed": _PERSON | {"sessions", "manage_url"},
    "waitlisted": _PERSON | {"manage_url"},
    "not_selected": _PERSON,
    "promoted_from_waitlist": _PERSON | {"offer_url", "respond_by"},
    "offer_expired": _PERSON,
    "withdrawn": _PERSON,
    "invitation": _COMMON | {"form_url", "deadline", "municipality_name"},
    "deadline_reminder": _COMMON | {"form_url", "deadline", "municipality_name"},
    # join_url and venue may be None, but must be given.
    "session_reminder": _PERSON
    | {"session_title", "session_start", "session_end", "join_url", "venue"},
    # nights: check-in dates; extra_night: one of them was granted for a long journey.
    "accommodation": _PERSON | {"covered", "nights", "extra_night", "municipality_name"},
    # members: [{"name", "municipality_name"?}]; facilitator_name may be None.
    "group_assigned": _PERSON | {"members", "facilitator_name"},
    # members: [{"name", "municipality_name"?, "email"}]
    "facilitator_group": _PERSON | {"members"},
    # pairing_kind: "feedback" | "networking"; partners: [{"name", "municipality_name"?, "email"}]
    "partner_assigned": _PERSON | {"round", "pairing_kind", "partners"},
    "certificate_issued": _PERSON | {"download_url", "verify_url", "code"},
    # body is the organiser's plain text: escaped in HTML, line breaks kept.
    "broadcast": _PERSON | {"subject", "body"},
    "contribution_received": _PERSON | {"contribution_title", "manage_url", "deadline"},
    # status: "accepted" | "rejected"; note and session_title may be None.
    "contribution_decision": _PERSON
    | {"contribution_title", "status", "note", "session_title"},
    "nomination_received": _PERSON | {"award_title", "nominee_title"},
    "jury_invitation": _PERSON | {"award_title", "ballot_url", "deadline"},
    "award_winner": _PERSON | {"award_title", "winner_title", "winner_municipality_name"},
    # won: whether the nominee this person put forward is the winner.
    "award_result_nominator": _PERSON
    | {"award_title", "nominee_title", "won", "winner_title", "winner_municipality_name"},
}

# Names render() adds to every context; callers need not (and cannot) supply them.
INJECTED = frozenset({"lang", "t"})


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


# --- dates and times -------------------------------------------------------------------------

_WEEKDAYS = {
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "nn": ("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_NO_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
              "september", "oktober", "november", "desember")
_MONTHS = {
    "nb": _NO_MONTHS,
    "nn": _NO_MONTHS,
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


def normalise_language(lang: str | None) -> str:
    """``"nn-NO"`` → ``"nn"``; anything unknown → ``"nb"``."""
    code = re.split(r"[-_]", (lang or "").strip().lower(), maxsplit=1)[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def _as_datetime(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime or ISO string, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive time would silently be read in the server's zone, which is UTC on Lambda.
        raise ValueError(f"time without offset: {value.isoformat()}")
    return value.astimezone(OSLO)


def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return _as_datetime(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if "T" in value or " " in value.strip():
            return _as_datetime(value).date()
        return date.fromisoformat(value)
    raise TypeError(f"expected a date, datetime or ISO string, got {type(value).__name__}")


def format_date(value: date | datetime | str, lang: str) -> str:
    """``onsdag 22. september 2021`` / ``Wednesday 22 September 2021``."""
    lang = normalise_language(lang)
    d = _as_date(value)
    weekday, month = _WEEKDAYS[lang][d.weekday()], _MONTHS[lang][d.month - 1]
    if lang == "en":
        return f"{weekday} {d.day} {month} {d.year}"
    return f"{weekday} {d.day}. {month} {d.year}"


def format_time(value: datetime | str, lang: str) -> str:
    """``09.00`` in Norwegian, ``09:00`` in English."""
    t = _as_datetime(value)
    sep = ":" if normalise_language(lang) == "en" else "."
    return f"{t.hour:02d}{sep}{t.minute:02d}"


def format_datetime(value: datetime | str, lang: str) -> str:
    """``onsdag 22. september 2021 kl. 09.00`` / ``Wednesday 22 September 2021 at 09:00``."""
    lang = normalise_language(lang)
    joiner = " at " if lang == "en" else " kl. "
    return format_date(value, lang) + joiner + format_time(value, lang)


def format_timespan(start: datetime | str, end: datetime | str, lang: str) -> str:
    """One day: ``onsdag 22. september 2021 kl. 09.00–13.00``; longer: two full times."""
    lang = normalise_language(lang)
    s, e = _as_datetime(start), _as_datetime(end)
    if s.date() != e.date():
        return f"{format_datetime(s, lang)} – {format_datetime(e, lang)}"
    joiner = ", " if lang == "en" else " kl. "
    return f"{format_date(s, lang)}{joiner}{format_time(s, lang)}–{format_time(e, lang)}"


def format_night(check_in: date | datetime | str, lang: str) -> str:
    """A hotel night by its check-in date: ``natt til fredag 12. november 2021`` in Norwegian,
    ``night of 11–12 November 2021`` in English."""
    lang = normalise_language(lang)
    first = _as_date(check_in)
    after = first + timedelta(days=1)
    if lang != "en":
        return f"natt til {format_date(after, lang)}"
    months = _MONTHS["en"]
    if first.month == after.month:
        span = f"{first.day}–{after.day} {months[after.month - 1]} {after.year}"
    elif first.year == after.year:
        span = f"{first.day} {months[first.month - 1]} – {after.day} {months[after.month - 1]} {after.year}"
    else:
        span = (f"{first.day} {months[first.month - 1]} {first.year} – "
                f"{after.day} {months[after.month - 1]} {after.year}")
    return f"night of {span}"


def format_place(value: Mapping[str, Any] | str | None) -> str:
    """An event venue (``{"name", "address", "municipality"}``) or a free-text place."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    parts = [str(value[k]) for k in ("name", "address") if value.get(k)]
    return ", ".join(parts)


def _paragraphs(value: str) -> Markup:
    """Organisers' plain text as HTML: escaped, blank lines start paragraphs, line breaks kept."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    opening, closing = Markup('<p style="margin:0 0 16px;">'), Markup("</p>\n")
    return Markup("").join(
        opening + Markup("<br>\n").join(escape(line) for line in block.split("\n")) + closing
        for block in blocks
    )


# --- fixed words used by the shared macros ---------------------------------------------------

_LABELS: dict[str, dict[str, str]] = {
    "nb": {"join": "Lenke til møtet", "venue": "Sted", "email": "E-post"},
    "nn": {"join": "Lenkje til møtet", "venue": "Stad", "email": "E-post"},
    "en": {"join": "Meeting link", "venue": "Venue", "email": "Email"},
}


# --- environment -----------------------------------------------------------------------------

_environment: jinja2.Environment | None = None


def _lang_of(ctx: jinja2.runtime.Context) -> str:
    return normalise_language(ctx.get("lang"))


def _build_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False,
                                            default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["datetime"] = jinja2.pass_context(lambda ctx, v: format_datetime(v, _lang_of(ctx)))
    env.filters["date"] = jinja2.pass_context(lambda ctx, v: format_date(v, _lang_of(ctx)))
    env.filters["time"] = jinja2.pass_context(lambda ctx, v: format_time(v, _lang_of(ctx)))
    env.filters["timespan"] = jinja2.pass_context(
        lambda ctx, start, end: format_timespan(start, end, _lang_of(ctx)))
    env.filters["night"] = jinja2.pass_context(lambda ctx, v: format_night(v, _lang_of(ctx)))
    env.filters["place"] = format_place
    env.filters["paragraphs"] = _paragraphs
    return env


def environment() -> jinja2.Environment:
    """The shared Environment, built on first use so importing this module stays cheap."""
    global _environment
    if _environment is None:
        _environment = _build_environment()
    return _environment


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def render(kind: str, lang: str, context: Mapping[str, Any]) -> RenderedMail:
    """Render one mail. ``lang`` falls back to nb; a variable ``KINDS[kind]`` names but
    ``context`` lacks raises ``jinja2.UndefinedError``; an unknown kind raises ``ValueError``."""
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind: {kind!r}")
    missing = KINDS[kind] - context.keys()
    if missing:
        raise jinja2.UndefinedError(f"{kind} mail needs {', '.join(sorted(missing))}")
    lang = normalise_language(lang)
    values = {**context, "lang": lang, "t": _LABELS[lang]}
    env = environment()
    subject = env.get_template(f"{lang}/{kind}.subject.txt").render(values)
    text = env.get_template(f"{lang}/{kind}.txt").render(values)
    html = env.get_template(f"{lang}/{kind}.html").render(values)
    return RenderedMail(
        subject=" ".join(subject.split()),
        text=_tidy_text(text),
        html=html.strip() + "\n",
    )
