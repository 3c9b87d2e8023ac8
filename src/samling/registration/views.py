"""Server-rendered pages of registration (the application form, the receipt, the manage page)
and the organisers' CSV export. Works without JavaScript."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from samling import registry
from samling.platform import clock, i18n
from samling.platform.edge import Reply, Request, html
from samling.platform.errors import ApiError
from samling.registration import messages, rules
from samling.registration.csvexport import to_csv
from samling.registration.form_texts import FORM_TEXTS
from samling.registration.model import (EXPERIENCE_LEVELS, ORGANISATION_TYPES, ROLES, SECTORS, Event)

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def json_body(req: Request) -> Any:
    """The request's JSON, refusing as ``bad_request`` what parses but cannot be kept: integers
    too long to convert and lone surrogates ("\\ud800"), which no UTF-8 store accepts."""
    import json

    try:
        value = req.json()
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):
        raise ApiError("bad_request") from None
    return value


def _page_lang(req: Request, event: Event, chosen: str | None = None) -> str:
    req.offer_languages(event.languages)
    return i18n.negotiate(explicit=chosen, query=req.query.get("lang"),
                          accept_language=req.headers.get("accept-language"), available=event.languages)


def _choices(kind: str, values: tuple[str, ...] | list[str], lang: str) -> list[tuple[str, str]]:
    return [(v, messages.label(kind, v, lang)) for v in values]


def _context(event: Event, lang: str, values: dict, errors: dict, message: str | None) -> dict:
    t = FORM_TEXTS[lang]
    return {
        "t": t, "lang": lang, "event": event, "title": rules._local(event.title, lang),
        "values": values, "errors": errors, "message": message,
        "organisation_types": [(v, FORM_TEXTS[lang]["organisation_types"][v]) for v in ORGANISATION_TYPES],
        "sectors": _choices("sector", SECTORS, lang), "experience": _choices("experience", EXPERIENCE_LEVELS, lang),
        "roles": _choices("role", ROLES, lang),
        "counties": [(c.number, c.name) for c in registry.counties()],
        "municipalities": [(m.number, m.name, m.county_name) for m in registry.municipalities()],
        "themes": [(th.id, rules._local(th.title, lang)) for th in event.themes],
        "sessions": [(s.id, rules._local(s.title, lang), s.audience) for s in event.sessions],
        "show_sessions": any(s.audience == "leaders" for s in event.sessions),
        "deadline": event.registration.deadline,
        "other_languages": [(code, FORM_TEXTS[code]["language_name"]) for code in event.languages if code != lang],
        "local_time": lambda d: d.astimezone(clock.OSLO).strftime("%d.%m.%Y %H:%M"),
    }


def resolve_municipality(text: str) -> str:
    """What a person typed in the municipality field ("Ålesund", "1508", "1508 Ålesund")."""
    text = (text or "").strip()
    if not text:
        return ""
    head = text.split()[0]
    if head.isdigit():
        return head
    found = registry.find(text, limit=5)
    exact = [m for m in found if registry.fold(m.name) == registry.fold(text)]
    if len(exact) == 1:
        return exact[0].number
    if len(found) == 1:
        return found[0].number
    return text


def _payload_from_form(form: dict[str, list[str]], lang: str) -> dict:
    one = lambda key: (form.get(key) or [""])[0].strip()
    payload: dict[str, Any] = {k: one(k) or None for k in (
        "name", "email", "phone", "organisation_type", "county", "organisation", "role", "sector",
        "experience", "motivation", "theme", "dietary")}
    payload["municipality"] = resolve_municipality(one("municipality")) or None
    payload["language"] = lang
    payload["consent"] = one("consent") in ("on", "yes", "true", "1")
    interests = one("interests")
    payload["interests"] = [i.strip() for i in interests.split(",") if i.strip()] if interests else []
    sessions = [s for s in form.get("sessions", []) if s]
    payload["sessions"] = sessions or None
    if "accommodation_shown" in form:
        payload["accommodation"] = {"needed": one("accommodation_needed") == "on",
                                    "extra_night": one("accommodation_extra_night") == "on"}
    return payload


def form(registration: Any, req: Request, event_id: str) -> Reply:
    event = registration.event(event_id, req.lang)
    if req.method == "GET":
        lang = _page_lang(req, event)
        state = rules.registration_state(event, clock.now())
        message = None if state == "open" else messages.text(f"error.registration_{state}", lang)
        return html(_env().get_template("form.html").render(**_context(event, lang, {}, {}, message)))
    raw = req.form()
    lang = _page_lang(req, event, (raw.get("language") or [None])[0])
    values = {k: v[0] if len(v) == 1 else v for k, v in raw.items()}
    payload = _payload_from_form(raw, lang)
    try:
        status, body = registration.submit(event_id, payload, lang)
    except ApiError as exc:
        page = _env().get_template("form.html").render(
            **_context(event, lang, values, exc.fields or {}, exc.message or messages.text(f"error.{exc.code}", lang)))
        return html(page, exc.status)
    app = registration.store.application(body["id"])
    page = _env().get_template("receipt.html").render(
        t=FORM_TEXTS[lang], lang=lang, title=rules._local(event.title, lang), app=app,
        status_text=FORM_TEXTS[lang]["status"].get(app["status"], app["status"]),
        manage_url=registration._manage_url(app, body.get("token")))
    return html(page, 200)


def manage(registration: Any, req: Request, app_id: str) -> Reply:
    app = registration.view(app_id, req.token(), req.lang)
    event = registration.event(app["event_id"], req.lang)
    lang = app.get("language") or _page_lang(req, event)
    page = _env().get_template("manage.html").render(
        t=FORM_TEXTS[lang], lang=lang, title=rules._local(event.title, lang), app=app,
        status_text=FORM_TEXTS[lang]["status"].get(app["status"], app["status"]))
    return html(page)


CSV_COLUMNS = ("id", "status", "submitted_at", "name", "email", "phone", "organisation_type",
               "municipality", "municipality_name", "county", "organisation", "role", "sector",
               "experience", "theme", "interests", "dietary", "score", "note", "motivation")


def applications_csv(apps: list[dict], lang: str) -> bytes:
    header = [FORM_TEXTS[lang]["csv"].get(c, c) for c in CSV_COLUMNS]
    rows = [header]
    for a in apps:
        found = registry.municipality(a["municipality"]) if a.get("municipality") else None
        review = a.get("review") or {}
        row = {**a, "municipality_name": found.name if found else "",
               "interests": ", ".join(a.get("interests") or []),
               "score": review.get("score", ""), "note": review.get("note") or ""}
        rows.append(["" if row.get(c) is None else str(row.get(c)) for c in CSV_COLUMNS])
    return to_csv(rows)
