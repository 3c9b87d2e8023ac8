"""Server-rendered pages of registration (the application form, the receipt, the manage page)
and the organisers' CSV export. Works without JavaScript."""
from __future__ import annotations

from datetime import datetime
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
from samling.registration.model import (ACTIVE_STATUSES, EXPERIENCE_LEVELS, ORGANISATION_TYPES, ROLES,
                                       SECTORS, Event)

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
    """The applicant's language, else ``?lang=``, else Accept-Language, else the event's first."""
    req.offer_languages(event.languages)
    return i18n.negotiate(explicit=chosen, query=req.query.get("lang"),
                          accept_language=req.headers.get("accept-language"), available=event.languages)


def request_lang(registration: Any, req: Request, event_id: str) -> str:
    """The language of a JSON request about ``event_id``: the event's first language when the
    request says nothing (an unknown event keeps the platform's default)."""
    doc = registration.store.event(event_id)
    if doc and doc.get("languages"):
        req.offer_languages(doc["languages"])
    return req.lang


# The order the form asks in, so the error summary reads top to bottom like the form.
FIELD_ORDER = ("name", "email", "phone", "organisation_type", "municipality", "county", "organisation",
               "role", "sector", "experience", "theme", "sessions", "motivation", "interests",
               "accommodation", "contribution.kind", "contribution.format", "contribution.title",
               "contribution.summary", "contribution.themes", "dietary", "consent")
CONTRIBUTION_FIELDS = ("kind", "format", "title", "summary", "themes")


def anchor(field: str) -> str:
    """The element id of a field (``contribution.title`` → ``contribution_title``)."""
    return field.replace(".", "_")


def ordered_errors(errors: dict) -> list[tuple[str, str]]:
    rank = {name: i for i, name in enumerate(FIELD_ORDER)}
    keyed = sorted(enumerate(errors.items()), key=lambda item: (rank.get(item[1][0], len(rank)), item[0]))
    return [pair for _, pair in keyed]


def _choices(kind: str, values: tuple[str, ...] | list[str], lang: str) -> list[tuple[str, str]]:
    return [(v, messages.label(kind, v, lang)) for v in values]


def _leaders_note_needed(title: str, note: str) -> bool:
    """Whether a leaders' session needs the "only for mayors and chief executives" note: not when
    its title already names them ("Toppleiarforum for ordførarar og kommunedirektørar")."""
    folded = registry.fold(title)
    words = [registry.fold(w) for w in note.split() if len(w) > 6]
    return not any(w in folded for w in words)


def _required(event: Event) -> set[str]:
    """Fields every applicant must answer (the conditional ones say so in their label)."""
    needed = {"name", "email", "organisation_type", "consent"}
    if event.registration.mode == "application":
        needed |= {"sector", "experience"}
    if event.themes:
        needed.add("theme")
    return needed


def _contribution_open(event: Event) -> bool:
    return rules.contributions_state(event, clock.now()) == "open"


def _context(event: Event, lang: str, values: dict, errors: dict, message: str | None, **extra: Any) -> dict:
    t = FORM_TEXTS[lang]
    sessions = []
    for s in event.sessions:
        title = rules._local(s.title, lang)
        note = s.audience == "leaders" and _leaders_note_needed(title, t["leaders_only"])
        sessions.append((s.id, title, note))
    context = {
        "t": t, "lang": lang, "event": event, "title": rules._local(event.title, lang),
        "values": values, "errors": errors, "error_list": ordered_errors(errors), "message": message,
        "anchor": anchor, "required": _required(event),
        "picked": lambda name: (values.get(name) if isinstance(values.get(name), list)
                                else [values[name]] if values.get(name) else []),
        "organisation_types": [(v, FORM_TEXTS[lang]["organisation_types"][v]) for v in ORGANISATION_TYPES],
        "sectors": _choices("sector", SECTORS, lang), "experience": _choices("experience", EXPERIENCE_LEVELS, lang),
        "roles": _choices("role", ROLES, lang),
        "counties": [(c.number, c.name) for c in registry.counties()],
        "municipalities": [(m.number, m.name, m.county_name) for m in registry.municipalities()],
        "themes": [(th.id, rules._local(th.title, lang)) for th in event.themes],
        "sessions": sessions,
        "show_sessions": any(s.audience == "leaders" for s in event.sessions),
        "deadline": event.registration.deadline,
        "other_languages": [(code, FORM_TEXTS[code]["language_name"]) for code in event.languages if code != lang],
        "local_time": _local_time,
        "action": "", "token": None, "editing": False, "ask_contribution": _contribution_open(event),
    }
    context.update(extra)
    return context


def _local_time(instant: Any) -> str:
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant)
    return instant.astimezone(clock.OSLO).strftime("%d.%m.%Y %H:%M")


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


def _form_values(raw: dict[str, list[str]]) -> dict[str, Any]:
    """The posted answers as the form shows them again: one value as a string, several as a list."""
    return {k: v[0] if len(v) == 1 else v for k, v in raw.items()}


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


def _contribution_from_form(form: dict[str, list[str]]) -> dict | None:
    """The optional contribution on the form, or None when the applicant left it all empty."""
    one = lambda key: (form.get(f"contribution_{key}") or [""])[0].strip()
    themes = [t for t in form.get("contribution_themes", []) if t]
    payload = {k: one(k) or None for k in ("kind", "format", "title", "summary")}
    if not themes and not any(payload.values()):
        return None
    return {**payload, "themes": themes}


def _gp(registration: Any) -> Any:
    from samling.registration.gronn_praksis import GronnPraksis

    return GronnPraksis(registration)


def _render(name: str, status: int = 200, **context: Any) -> Reply:
    return html(_env().get_template(name).render(**context), status)


def _application_errors(event: Event, payload: dict, lang: str) -> dict:
    """The application's own field messages, without creating anything."""
    try:
        rules.validate_application(payload, event, lang)
    except rules.FieldErrors as exc:
        return dict(exc.fields)
    return {}


def form(registration: Any, req: Request, event_id: str) -> Reply:
    event = registration.event(event_id, req.lang)
    if req.method == "GET":
        lang = _page_lang(req, event)
        state = rules.registration_state(event, clock.now())
        message = None if state == "open" else messages.text(f"error.registration_{state}", lang)
        return _render("form.html", **_context(event, lang, {}, {}, message))
    raw = req.form()
    lang = _page_lang(req, event, (raw.get("language") or [None])[0])
    values = _form_values(raw)
    payload = _payload_from_form(raw, lang)
    brought = _contribution_from_form(raw) if event.contributions and _contribution_open(event) else None
    gp = _gp(registration) if brought is not None else None
    if brought is not None:
        # Checked before the application exists, so a bad contribution leaves nothing half-done.
        try:
            gp._validate(brought, event, lang)
        except ApiError as exc:
            fields = {**_application_errors(event, payload, lang),
                      **{f"contribution.{k}": v for k, v in (exc.fields or {}).items()}}
            return _render("form.html", 422, **_context(event, lang, values, fields, exc.message))
    try:
        status, body = registration.submit(event_id, payload, lang)
    except ApiError as exc:
        return _render("form.html", exc.status, **_context(
            event, lang, values, exc.fields or {}, exc.message or messages.text(f"error.{exc.code}", lang)))
    app = registration.store.application(body["id"])
    lang = app.get("language") or lang
    t = FORM_TEXTS[lang]
    added, not_added = None, None
    if brought is not None and body.get("token"):
        try:
            added = gp.submit(app["id"], body["token"], brought, lang)
        except ApiError as exc:
            not_added = exc.message or messages.text(f"error.{exc.code}", lang)
    elif brought is not None:
        # An update of an earlier application: what it brings is added with the mailed link,
        # so knowing someone's address is not enough to put words in their name.
        not_added = t["resubmitted"]
    return _render("receipt.html", t=t, lang=lang, title=rules._local(event.title, lang), app=app,
                   status_text=t["status"].get(app["status"], app["status"]),
                   manage_url=registration._manage_url(app, body["token"]) if body.get("token") else None,
                   added=added, not_added=not_added)


# --- the manage page and its actions -----------------------------------------------------------
def not_found_page(req: Request, lang: str | None = None) -> Reply:
    lang = lang or req.lang
    t = FORM_TEXTS[lang]
    return _render("not_found.html", 404, t=t, lang=lang, title=t["not_found_heading"])


def _owned(registration: Any, req: Request, app_id: str, token: str | None) -> tuple[dict, Event, str]:
    app = registration.view(app_id, token, req.lang)
    event = registration.event(app["event_id"], req.lang)
    lang = app.get("language") or _page_lang(req, event)
    req.lang = lang
    return app, event, lang


def _for_browsers(fn: Any) -> Any:
    """A wrong or missing token answers browsers with a small page, other clients with JSON."""
    def wrapped(registration: Any, req: Request, app_id: str) -> Reply:
        try:
            return fn(registration, req, app_id)
        except ApiError as exc:
            if exc.code == "not_found" and req.wants_html():
                posted = (req.form().get("language") or [None])[0] if req.method == "POST" else None
                return not_found_page(req, posted if posted in FORM_TEXTS else None)
            raise
    return wrapped


def _posted_token(req: Request) -> tuple[dict[str, list[str]], str | None]:
    raw = req.form() if req.method == "POST" else {}
    return raw, (raw.get("token") or [None])[0] or req.token()


def _manage_context(registration: Any, app: dict, event: Event, lang: str, token: str) -> dict:
    t = FORM_TEXTS[lang]
    now = clock.now()
    expires = app.get("offer_expires_at")
    lapsed = app["status"] == "offered" and bool(expires) and now.replace(microsecond=0) > datetime.fromisoformat(expires)
    can_answer = app["status"] == "offered" and not lapsed
    can_edit = app["status"] in ACTIVE_STATUSES and rules.registration_state(event, now) != "closed"
    contributions = None
    if event.contributions:
        contributions = _gp(registration).own_list(app["id"], token, lang)
    found = registry.municipality(app["municipality"]) if app.get("municipality") else None
    county = next((c.name for c in registry.counties() if c.number == app.get("county")), None)
    session_titles = {s.id: rules._local(s.title, lang) for s in event.sessions}
    theme_titles = {th.id: rules._local(th.title, lang) for th in event.themes}
    label = lambda kind, value: messages.label(kind, value, lang) if value else None
    answers = [
        (t["name"], app.get("name")), (t["email"], app.get("email")), (t["phone"], app.get("phone")),
        (t["organisation_type"], t["organisation_types"].get(app.get("organisation_type") or "", None)),
        (t["municipality"], f"{found.name} ({found.number})" if found else None),
        (t["county"], None if found else county), (t["organisation"], app.get("organisation")),
        (t["role"], label("role", app.get("role"))),
        (t["sector"], label("sector", app.get("sector"))),
        (t["experience"], label("experience", app.get("experience"))),
        (t["theme"], theme_titles.get(app.get("theme") or "")),
        (t["sessions"], ", ".join(session_titles.get(s, s) for s in app.get("sessions") or []) or None),
        (t["motivation"], app.get("motivation")), (t["interests"], ", ".join(app.get("interests") or []) or None),
        (t["dietary"], app.get("dietary")),
    ]
    accommodation = app.get("accommodation") or {}
    if event.accommodation and accommodation.get("needed"):
        nights = t["accommodation_needed"] + (f"; {t['accommodation_extra_night']}" if accommodation.get("extra_night") else "")
        answers.append((t["accommodation"], nights))
    manage_url = f"/registration/applications/{app['id']}/manage"
    return {"t": t, "lang": lang, "title": rules._local(event.title, lang), "app": app, "token": token,
            # an offer whose time ran out before the sweep marked it says so already
            "status_text": t["status"]["expired" if lapsed else app["status"]], "answers": [a for a in answers if a[1]],
            "can_answer": can_answer, "can_edit": can_edit, "can_withdraw": app["status"] in ACTIVE_STATUSES,
            "offer_expires_at": expires, "local_time": _local_time, "deadline": event.registration.deadline,
            "contributions": contributions, "manage_url": manage_url, "kind_names": _kind_names(lang)}


def _kind_names(lang: str) -> dict[str, dict[str, str]]:
    names = {"nb": ({"praksis": "Praksis", "ide": "Idé"}, {"innlegg": "Innlegg", "stand": "Stand", "verksted": "Verksted"}),
             "nn": ({"praksis": "Praksis", "ide": "Idé"}, {"innlegg": "Innlegg", "stand": "Stand", "verksted": "Verkstad"}),
             "en": ({"praksis": "Practice", "ide": "Idea"}, {"innlegg": "Talk", "stand": "Stand", "verksted": "Workshop"})}
    kinds, formats = names.get(lang, names["nb"])
    return {"kind": kinds, "format": formats}


@_for_browsers
def manage(registration: Any, req: Request, app_id: str) -> Reply:
    token = req.token()
    app, event, lang = _owned(registration, req, app_id, token)
    return _render("manage.html", **_manage_context(registration, app, event, lang, token))


def _done(registration: Any, app: dict, event: Event, lang: str, token: str, what: str) -> Reply:
    context = _manage_context(registration, app, event, lang, token)
    return _render("done.html", **context, done=context["t"][f"done_{what}"])


def _action_failed(registration: Any, req: Request, app_id: str, token: str, exc: ApiError) -> Reply:
    app, event, lang = _owned(registration, req, app_id, token)
    context = _manage_context(registration, app, event, lang, token)
    message = exc.message or messages.text(f"error.{exc.code}", lang)
    return _render("manage.html", exc.status, **context, message=message)


@_for_browsers
def manage_offer(registration: Any, req: Request, app_id: str) -> Reply:
    raw, token = _posted_token(req)
    app, event, lang = _owned(registration, req, app_id, token)
    accept = (raw.get("accept") or [""])[0]
    try:
        app = registration.answer_offer(app_id, token, {"accept": accept == "yes"}, lang)
    except ApiError as exc:
        return _action_failed(registration, req, app_id, token, exc)
    return _done(registration, app, event, lang, token, "accepted" if accept == "yes" else "declined")


@_for_browsers
def manage_withdraw(registration: Any, req: Request, app_id: str) -> Reply:
    _, token = _posted_token(req)
    app, event, lang = _owned(registration, req, app_id, token)
    try:
        app = registration.withdraw(app_id, token, lang)
    except ApiError as exc:
        return _action_failed(registration, req, app_id, token, exc)
    return _done(registration, app, event, lang, token, "withdrawn")


def _values_from_app(app: dict) -> dict[str, Any]:
    values: dict[str, Any] = {k: app.get(k) or "" for k in (
        "name", "email", "phone", "organisation_type", "county", "organisation", "role", "sector",
        "experience", "motivation", "theme", "dietary")}
    found = registry.municipality(app["municipality"]) if app.get("municipality") else None
    values["municipality"] = f"{found.number} {found.name}" if found else ""
    values["interests"] = ", ".join(app.get("interests") or [])
    values["sessions"] = list(app.get("sessions") or [])
    accommodation = app.get("accommodation") or {}
    values["accommodation_needed"] = "on" if accommodation.get("needed") else ""
    values["accommodation_extra_night"] = "on" if accommodation.get("extra_night") else ""
    values["consent"] = "on" if app.get("consent") else ""
    return values


@_for_browsers
def manage_edit(registration: Any, req: Request, app_id: str) -> Reply:
    raw, token = _posted_token(req)
    app, event, lang = _owned(registration, req, app_id, token)
    edit = {"action": f"/registration/applications/{app_id}/manage/edit", "token": token, "editing": True,
            "ask_contribution": False}
    if req.method == "GET":
        return _render("form.html", **_context(event, lang, _values_from_app(app), {}, None, **edit))
    try:
        app = registration.edit(app_id, token, _payload_from_form(raw, lang), lang)
    except ApiError as exc:
        message = exc.message or messages.text(f"error.{exc.code}", lang)
        return _render("form.html", exc.status, **_context(event, lang, _form_values(raw), exc.fields or {},
                                                           message, **edit))
    return _done(registration, app, event, lang, token, "edited")


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
