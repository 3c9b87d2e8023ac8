"""Registration rules as pure functions: is the form filled in right, is the window open, may
this person take part, when does an offer lapse.

    try:
        app = validate_application(body, event, "nb")
    except MalformedBody as exc:      # not a JSON object at all -> 400 bad_request
        ...
    except FieldErrors as exc:        # exc.fields == {"email": "Skriv inn en gyldig e-postadresse."}
        ...                           # -> 422 validation_error
    if (reason := eligibility_problem(event, app, "nb")) is not None:
        ...                           # -> 422 not_eligible, message = reason
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from samling import registry
from samling.registration.messages import join_list, label, text
from samling.registration.model import (
    COUNTY_ORGANISATION_TYPES,
    EXPERIENCE_LEVELS,
    LANGUAGES,
    LEADER_ROLES,
    MUNICIPAL_ORGANISATION_TYPES,
    ORGANISATION_TYPES,
    SECTORS,
    ApplicationInput,
    Event,
    describe_config_errors,
)

OSLO = ZoneInfo("Europe/Oslo")

WindowState = Literal["not_open", "open", "closed"]

NAME_MAX = 200
EMAIL_MAX = 254
ORGANISATION_MAX = 200
ROLE_MAX = 200
PHONE_MAX = 40
MOTIVATION_MAX = 5000
DIETARY_MAX = 500
INTEREST_MAX_ITEMS = 20
INTEREST_MAX_LENGTH = 100

APPLICATION_FIELDS = (
    "name",
    "email",
    "phone",
    "organisation_type",
    "municipality",
    "county",
    "organisation",
    "role",
    "sector",
    "experience",
    "motivation",
    "language",
    "theme",
    "sessions",
    "interests",
    "accommodation",
    "dietary",
    "consent",
)

# Deliberately modest: the address must have one @, a dot in the domain and no spaces. Whether
# it works is shown by the receipt e-mail, not by a regular expression.
# Local part: RFC 5322 "atext" (letters, digits and !#$%&'*+/=?^_`{|}~-, dots between), letters
# beyond ASCII allowed; the domain: labels without markup or separators.
_EMAIL = re.compile(r"^(?=[^@]{1,64}@)[\w!#$%&'*+/=?^`{|}~-]+(\.[\w!#$%&'*+/=?^`{|}~-]+)*"
                    r"@(?=.{1,253}$)[\w-]+(\.[\w-]+)*\.[^\W\d_]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ().-]{5,}$")
EMAIL_PATTERN = _EMAIL


def is_valid_email(value: object) -> bool:
    """The same test as the application form's (invitations, presenters, nominators use it)."""
    return (
        isinstance(value, str)
        and len(value.strip()) <= EMAIL_MAX
        and _EMAIL.match(value.strip()) is not None
    )


class FieldErrors(ValueError):
    """The answers could not be accepted: ``fields`` maps each field to one message in the
    language the caller asked for."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.fields.items()))


class MalformedBody(FieldErrors):
    """The body is JSON but not an object (a list, a string, null …): a ``bad_request``, not a
    form to correct. ``fields`` is ``{"body": message}`` and ``message`` the same text."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__({"body": message})


# --- windows -------------------------------------------------------------------------------------


def _require_aware(value: dt.datetime, name: str) -> None:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def window_state(opens: dt.datetime, deadline: dt.datetime, now: dt.datetime) -> WindowState:
    """Where ``now`` falls in a window that opens at ``opens`` and closes after ``deadline``.

    Instants compare at whole seconds: a deadline of 23:59:59 is still open at 23:59:59.999 and
    closed at 00:00:00, and an opening at 00:00:00 is not yet open at 23:59:59.999 the day before.
    """
    for value, name in ((opens, "opens"), (deadline, "deadline"), (now, "now")):
        _require_aware(value, name)
    second = now.replace(microsecond=0)
    if second < opens.replace(microsecond=0):
        return "not_open"
    if second > deadline.replace(microsecond=0):
        return "closed"
    return "open"


def registration_state(event: Event, now: dt.datetime) -> WindowState:
    """``"not_open"`` → 409 registration_not_open, ``"closed"`` → 409 registration_closed."""
    return window_state(event.registration.opens, event.registration.deadline, now)


def contributions_state(event: Event, now: dt.datetime) -> WindowState | None:
    """The contributions window, or ``None`` for an event without contributions (→ 404)."""
    if event.contributions is None:
        return None
    return window_state(event.contributions.opens, event.contributions.deadline, now)


def nominations_state(event: Event, now: dt.datetime) -> WindowState | None:
    """The nominations window, or ``None`` for an event without an award (→ 404)."""
    if event.award is None:
        return None
    return window_state(event.award.nominations_open, event.award.nominations_deadline, now)


def offer_deadline(event: Event, offered_at: dt.datetime) -> dt.datetime:
    """The last instant to answer an offer: ``offer_response_days`` days after the day it was made
    (in Oslo), at 23:59:59 Oslo time — so an offer made on Monday with 7 days lasts all of the next
    Monday, whatever the hour it was sent."""
    _require_aware(offered_at, "offered_at")
    day = offered_at.astimezone(OSLO).date() + dt.timedelta(days=event.registration.offer_response_days)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=OSLO)


def offer_expired(event: Event, offered_at: dt.datetime, now: dt.datetime) -> bool:
    """True once the response deadline has passed (same whole-second rule as every window)."""
    _require_aware(now, "now")
    return now.replace(microsecond=0) > offer_deadline(event, offered_at)


# --- eligibility ---------------------------------------------------------------------------------


def applicant_county(app: ApplicationInput) -> str | None:
    """The county an applicant belongs to: their municipality's, else the county they gave."""
    if app.municipality is not None:
        found = registry.municipality(app.municipality)
        if found is not None:
            return found.county_number
    return app.county


def eligibility_problem(event: Event, app: ApplicationInput, lang: str) -> str | None:
    """Why this applicant may not register for this event, in ``lang``, or ``None`` if they may.

    Checks, in order: organisation type, county allow-list (through the municipality's county or a
    county authority's own county), municipality allow-list, leaders-only sessions chosen by
    someone whose role is not ``ordforer``/``kommunedirektor``, and the theme of a themed event.
    """
    rules = event.registration.eligibility
    if rules.organisation_types is not None and app.organisation_type not in rules.organisation_types:
        allowed = [label("organisation_type", kind, lang) for kind in rules.organisation_types]
        return text("eligibility.organisation_type", lang, allowed=join_list(allowed, lang))
    if rules.counties is not None:
        names = [_county_name(number) for number in rules.counties]
        county = applicant_county(app)
        if county is None:
            return text("eligibility.county_unknown", lang, counties=join_list(names, lang))
        if county not in rules.counties:
            return text("eligibility.county", lang, counties=join_list(names, lang))
    if rules.municipalities is not None:
        if app.municipality is None:
            return text("eligibility.municipality_unknown", lang)
        if app.municipality not in rules.municipalities:
            return text("eligibility.municipality", lang, municipality=_municipality_name(app.municipality))
    if not app.is_leader:
        for session_id in app.sessions or ():
            session = event.session(session_id)
            if session is not None and session.audience == "leaders":
                return text("eligibility.leaders_only", lang, session=local_text(session.title, lang))
    if event.themes:
        if app.theme is None:
            return text("theme.required", lang)
        if event.theme(app.theme) is None:
            return text("theme.invalid", lang)
    elif app.theme is not None:
        return text("theme.not_offered", lang)
    return None


def max_per_municipality_problem(
    event: Event, municipality: str | None, active_from_municipality: int, lang: str
) -> str | None:
    """Whether one more application from ``municipality`` would go over
    ``registration.max_per_municipality``. ``active_from_municipality`` counts that
    municipality's other applications in ``model.ACTIVE_STATUSES`` (not the one being made or
    updated). Applicants without a municipality are never limited."""
    limit = event.registration.max_per_municipality
    if limit is None or municipality is None or active_from_municipality < limit:
        return None
    return text(
        "eligibility.max_per_municipality",
        lang,
        municipality=_municipality_name(municipality),
        limit=limit,
    )


def sessions_open_to(event: Event, role: str | None) -> list[str]:
    """Ids of the sessions someone with this role may attend (leaders' sessions only for leaders)."""
    leader = role in LEADER_ROLES
    return [s.id for s in event.sessions if s.audience == "all" or leader]


def _county_name(number: str) -> str:
    found = registry.county(number)
    return found.name if found is not None else number


def _municipality_name(number: str) -> str:
    found = registry.municipality(number)
    return found.name if found is not None else number


def local_text(texts: dict[str, str], lang: str) -> str:
    """A text in ``lang``, else bokmål, nynorsk, English, else whichever there is."""
    if lang in texts:
        return texts[lang]
    for fallback in ("nb", "nn", "en"):
        if fallback in texts:
            return texts[fallback]
    return next(iter(texts.values()), "")


_local = local_text


# --- event configuration ------------------------------------------------------------------------


def parse_event(payload: object) -> Event:
    """An organiser's event configuration (``PUT /registration/events/{id}``), or
    :class:`FieldErrors` with organiser-facing English notes keyed by dotted path
    (``{"registration.deadline": "must have a timezone offset"}``). A body that is not an object
    raises :class:`MalformedBody`."""
    if not isinstance(payload, dict):
        raise MalformedBody("the event configuration must be a JSON object")
    try:
        return Event.model_validate(payload)
    except ValidationError as exc:
        raise FieldErrors(describe_config_errors(exc)) from None
    except (TypeError, ValueError, RecursionError) as exc:  # pragma: no cover - defensive
        raise FieldErrors({"": str(exc)[:500]}) from None


# --- the application form -----------------------------------------------------------------------


class _Missing:
    pass


MISSING: Any = _Missing()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _has_control_characters(value: str, allow_newlines: bool) -> bool:
    for char in value:
        if allow_newlines and char in "\n\r\t":
            continue
        if unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"):
            return True
    return False


class _Form:
    """Collects one message per field while reading the answers."""

    def __init__(self, payload: dict, event: Event, lang: str, partial: bool) -> None:
        self.payload = payload
        self.event = event
        self.lang = lang
        self.partial = partial
        self.errors: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def given(self, name: str) -> bool:
        return name in self.payload

    def raw(self, name: str) -> Any:
        return self.payload.get(name, MISSING)

    def fail(self, name: str, key: str, **params: object) -> None:
        self.errors.setdefault(name, text(key, self.lang, **params))

    def fail_with(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def should_check(self, name: str) -> bool:
        return not self.partial or self.given(name)

    def string(
        self,
        name: str,
        max_length: int,
        *,
        required_key: str | None = None,
        multiline: bool = False,
        too_long_key: str = "field.too_long",
    ) -> str | None:
        """The trimmed text of a field, ``None`` when blank; records a message when it is
        required and blank, not text, too long or has control characters."""
        value = self.raw(name)
        if value is MISSING or _blank(value):
            if required_key is not None:
                self.fail(name, required_key)
            return None
        if not isinstance(value, str):
            self.fail(name, "field.not_text")
            return None
        value = value.strip()
        if not multiline:
            value = " ".join(value.split())
        if len(value) > max_length:
            self.fail(name, too_long_key, max=f"{max_length:,}".replace(",", "\u00a0"))
            return None
        if _has_control_characters(value, allow_newlines=multiline):
            self.fail(name, "field.invalid_characters")
            return None
        return value

    def choice(self, name: str, allowed: tuple[str, ...], required_key: str | None, invalid_key: str) -> str | None:
        value = self.raw(name)
        if value is MISSING or _blank(value):
            if required_key is not None:
                self.fail(name, required_key)
            return None
        if not isinstance(value, str) or value.strip() not in allowed:
            self.fail(name, invalid_key)
            return None
        return value.strip()


def validate_application(
    payload: object, event: Event, lang: str, *, partial: bool = False
) -> ApplicationInput | dict[str, Any]:
    """Check an applicant's answers to ``event`` and return them cleaned.

    Any JSON value is accepted as ``payload``. Problems raise :class:`FieldErrors` with one
    message per field in ``lang`` (``nb`` for an unknown language); a body that is not an object
    raises :class:`MalformedBody` (a subclass). Unknown keys are ignored. Nothing else is raised.

    Cleaning: text is trimmed (names also have inner runs of spaces folded), blank answers
    become ``None``, the e-mail is lower-cased, a municipality gives its county, a missing
    ``language`` becomes the event's first language, sessions keep their first occurrence.

    ``partial=False`` (a new application) returns an :class:`ApplicationInput`.

    ``partial=True`` (``PATCH``) checks only the keys present and returns a ``dict`` of just
    those fields, cleaned (plus ``county`` when ``municipality`` is given). Rules that tie
    fields together (a municipality for ``kommune``) are applied only when the deciding field is
    in the patch; to check the whole record, merge the patch onto the stored answers and call
    again with ``partial=False``.
    """
    if lang not in LANGUAGES:
        lang = "nb"
    if not isinstance(payload, dict):
        raise MalformedBody(text("body.not_object", lang))
    try:
        return _validate(payload, event, lang, partial)
    except FieldErrors:
        raise
    except Exception as exc:  # pragma: no cover - a bug must still not reach the applicant raw
        raise FieldErrors({"body": text("error.bad_request", lang)}) from exc


def _validate(payload: dict, event: Event, lang: str, partial: bool) -> ApplicationInput | dict[str, Any]:
    form = _Form(payload, event, lang, partial)
    values = form.values
    check = form.should_check

    if check("name"):
        values["name"] = form.string("name", NAME_MAX, required_key="name.required")
    if check("email"):
        values["email"] = _email(form)
    if check("phone"):
        values["phone"] = _phone(form)
    if check("consent"):
        if form.raw("consent") is not True:
            form.fail("consent", "consent.required")
        values["consent"] = True

    organisation_type = None
    if check("organisation_type"):
        organisation_type = form.choice(
            "organisation_type", ORGANISATION_TYPES, "organisation_type.required", "organisation_type.invalid"
        )
        values["organisation_type"] = organisation_type
    decides_place = organisation_type is not None
    municipal = organisation_type in MUNICIPAL_ORGANISATION_TYPES
    county_authority = organisation_type in COUNTY_ORGANISATION_TYPES

    municipality_county = None
    if check("municipality") or (decides_place and municipal):
        number = _municipality(form, required=decides_place and municipal)
        values["municipality"] = number
        if number is not None:
            municipality_county = registry.municipality(number).county_number
    if check("county") or (decides_place and county_authority):
        county = _county(form, required=decides_place and county_authority)
        if county is not None and municipality_county is not None and county != municipality_county:
            form.fail("county", "county.mismatch")
        values["county"] = county
    if municipality_county is not None:
        values["county"] = municipality_county
    if check("organisation") or decides_place:
        needs_organisation = decides_place and not municipal and not county_authority
        values["organisation"] = form.string(
            "organisation",
            ORGANISATION_MAX,
            required_key="organisation.required" if needs_organisation else None,
        )

    if check("role"):
        role = form.string("role", ROLE_MAX)
        values["role"] = role.lower() if role is not None and role.lower() in LEADER_ROLES else role

    selecting = event.registration.mode == "application"
    if check("sector"):
        values["sector"] = form.choice("sector", SECTORS, "sector.required" if selecting else None, "sector.invalid")
    if check("experience"):
        values["experience"] = form.choice(
            "experience", EXPERIENCE_LEVELS, "experience.required" if selecting else None, "experience.invalid"
        )
    if check("motivation"):
        values["motivation"] = form.string(
            "motivation", MOTIVATION_MAX, multiline=True, too_long_key="motivation.too_long"
        )
    if check("dietary"):
        values["dietary"] = form.string("dietary", DIETARY_MAX, multiline=True)
    if check("language"):
        chosen = form.choice("language", LANGUAGES, None, "language.invalid")
        if chosen is None and "language" not in form.errors:
            chosen = event.first_language
        values["language"] = chosen
    if check("theme"):
        values["theme"] = _theme(form)
    if check("sessions"):
        values["sessions"] = _sessions(form)
    if check("interests"):
        values["interests"] = _interests(form)
    if check("accommodation"):
        values["accommodation"] = _accommodation(form)

    if form.errors:
        raise FieldErrors(form.errors)
    if partial:
        return values
    try:
        return ApplicationInput.model_validate(values)
    except ValidationError as exc:  # pragma: no cover - the checks above are meant to cover this
        fields = {}
        for item in exc.errors(include_url=False):
            name = str(item["loc"][0]) if item["loc"] else "body"
            fields.setdefault(name, text("field.required" if item["type"] == "missing" else "error.validation_error", lang))
        raise FieldErrors(fields) from None


def _email(form: _Form) -> str | None:
    value = form.raw("email")
    if value is MISSING or _blank(value):
        form.fail("email", "email.required")
        return None
    if not isinstance(value, str):
        form.fail("email", "email.invalid")
        return None
    value = value.strip()
    if len(value) > EMAIL_MAX or not _EMAIL.match(value) or _has_control_characters(value, False):
        form.fail("email", "email.invalid")
        return None
    # One person, one application: the same address in another case is the same applicant.
    return value.lower()


def _phone(form: _Form) -> str | None:
    value = form.raw("phone")
    if value is MISSING or _blank(value):
        return None
    if not isinstance(value, str):
        form.fail("phone", "phone.invalid")
        return None
    value = " ".join(value.split())
    digits = sum(char.isdigit() for char in value)
    if len(value) > PHONE_MAX or not _PHONE.match(value) or not 5 <= digits <= 15:
        form.fail("phone", "phone.invalid")
        return None
    return value


def _municipality(form: _Form, required: bool) -> str | None:
    value = form.raw("municipality")
    if value is MISSING or _blank(value):
        if required:
            form.fail("municipality", "municipality.required")
        return None
    if not isinstance(value, str):
        form.fail("municipality", "municipality.not_text")
        return None
    if len(value) > 40:
        form.fail("municipality", "municipality.not_text")
        return None
    try:
        return registry.check_municipality(value, form.lang).number
    except registry.UnknownMunicipality as exc:
        form.fail_with("municipality", exc.message)
        return None


def _county(form: _Form, required: bool) -> str | None:
    value = form.raw("county")
    if value is MISSING or _blank(value):
        if required:
            form.fail("county", "county.required")
        return None
    if not isinstance(value, str) or len(value) > 40:
        form.fail("county", "county.invalid")
        return None
    try:
        return registry.check_county(value, form.lang).number
    except registry.UnknownCounty as exc:
        form.fail_with("county", exc.message)
        return None


def _theme(form: _Form) -> str | None:
    value = form.raw("theme")
    themes = form.event.themes
    if value is MISSING or _blank(value):
        if themes:
            form.fail("theme", "theme.required")
        return None
    if not themes:
        form.fail("theme", "theme.not_offered")
        return None
    if not isinstance(value, str) or form.event.theme(value.strip()) is None:
        form.fail("theme", "theme.invalid")
        return None
    return value.strip()


def _sessions(form: _Form) -> list[str] | None:
    value = form.raw("sessions")
    if value is MISSING or value is None:
        return None
    if not isinstance(value, list) or len(value) > max(len(form.event.sessions), 1) * 2:
        form.fail("sessions", "sessions.invalid")
        return None
    chosen: list[str] = []
    for item in value:
        if not isinstance(item, str) or form.event.session(item) is None:
            form.fail("sessions", "sessions.invalid")
            return None
        if item not in chosen:
            chosen.append(item)
    return chosen


def _interests(form: _Form) -> list[str]:
    value = form.raw("interests")
    if value is MISSING or value is None:
        return []
    problem = dict(max_items=INTEREST_MAX_ITEMS, max_length=INTEREST_MAX_LENGTH)
    if not isinstance(value, list) or len(value) > INTEREST_MAX_ITEMS:
        form.fail("interests", "interests.invalid", **problem)
        return []
    interests: list[str] = []
    for item in value:
        if not isinstance(item, str):
            form.fail("interests", "interests.invalid", **problem)
            return []
        item = " ".join(item.split())
        if len(item) > INTEREST_MAX_LENGTH or _has_control_characters(item, False):
            form.fail("interests", "interests.invalid", **problem)
            return []
        if item and item not in interests:
            interests.append(item)
    return interests


def _accommodation(form: _Form) -> dict[str, bool] | None:
    value = form.raw("accommodation")
    if value is MISSING or value is None:
        return None
    if not isinstance(value, dict):
        form.fail("accommodation", "accommodation.invalid")
        return None
    needed = value.get("needed", False)
    extra_night = value.get("extra_night", False)
    if needed is None:
        needed = False
    if extra_night is None:
        extra_night = False
    if not isinstance(needed, bool) or not isinstance(extra_night, bool):
        form.fail("accommodation", "accommodation.invalid")
        return None
    offer = form.event.accommodation
    # The same form serves events with and without a hotel: answers about a stay that is not on
    # offer carry no meaning and are dropped rather than held against the applicant.
    if offer is None or not needed:
        return None
    return {"needed": True, "extra_night": extra_night and offer.extra_night is not None}
