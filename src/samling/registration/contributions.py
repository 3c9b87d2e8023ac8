"""Participants' own contributions to a gathering: what they bring, and when they may bring it.

Everything here is pure: the HTTP layer parses JSON, calls these functions and stores the result.

    >>> data = validate_contribution(
    ...     {"kind": "praksis", "format": "stand", "title": "Grønne innkjøp",
    ...      "summary": "Slik kuttet vi utslipp i anbud.", "themes": ["innkjop"],
    ...      "municipality": "4204",
    ...      "presenters": [{"name": "Åse Øvrebø-Ærlandsen", "email": "ase@kommune.example"}]},
    ...     kinds=["praksis", "ide"], formats=["innlegg", "stand"], theme_ids=["innkjop"], lang="nb")
    >>> data["themes"], data["municipality"]
    (['innkjop'], '4204')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Literal

from samling.registration.gp_messages import text

STATUSES = ("submitted", "accepted", "rejected", "withdrawn")
# Rejected and withdrawn contributions no longer count towards `max_per_application`: the
# organiser has already answered them, and the applicant may try again with something else.
ACTIVE_STATUSES = frozenset({"submitted", "accepted"})
DECISION_STATUSES = ("accepted", "rejected")

TITLE_MAX = 200
SUMMARY_MAX = 3000
NOTE_MAX = 3000
NAME_MAX = 200
EMAIL_MAX = 254
PRESENTERS_MAX = 20

WindowState = Literal["not_open", "open", "closed"]
MunicipalityCheck = Callable[[str, str], object]

# Deliberately modest: one @, no spaces, a dotted domain. Deliverability is proven by the mail,
# not by a regular expression.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_MUNICIPALITY = re.compile(r"^[0-9]{4}$")


class ContributionFieldErrors(ValueError):
    """One message per invalid field, already in the request's language (→ 422 validation_error)."""

    def __init__(self, fields: dict[str, str]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = dict(fields)


# ---------------------------------------------------------------------------------------------
# Field checks shared with the award (each returns the cleaned value or an error message)


def clean_text(value: object, *, max_len: int, lang: str, required: bool = True) -> tuple[str | None, str | None]:
    """(cleaned, None) or (None, message). Text is NFC-normalised so `ø` always counts as one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return (None, text("required", lang)) if required else (None, None)
    if not isinstance(value, str):
        return None, text("not_text", lang)
    cleaned = unicodedata.normalize("NFC", value.strip())
    if len(cleaned) > max_len:
        return None, text("too_long", lang, max=max_len)
    return cleaned, None


def normalise_email(value: str) -> str:
    return value.strip().lower()


def is_valid_email(value: object) -> bool:
    return isinstance(value, str) and len(value.strip()) <= EMAIL_MAX and bool(_EMAIL.match(value.strip()))


def clean_municipality(
    value: object, *, lang: str, check: MunicipalityCheck | None = None
) -> tuple[str | None, str | None]:
    """A four-digit municipality number or null; `check` (from the registry) may reject it."""
    if value is None or value == "":
        return None, None
    if not isinstance(value, str) or not _MUNICIPALITY.match(value.strip()):
        return None, text("municipality_format", lang)
    number = value.strip()
    if check is not None:
        try:
            check(number, lang)
        except ValueError as exc:
            return None, str(getattr(exc, "message", None) or exc)
    return number, None


def _clean_choice(value: object, choices: Sequence[str], lang: str) -> tuple[str | None, str | None]:
    if value is None or value == "":
        return None, text("required", lang)
    if not isinstance(value, str) or value not in choices:
        return None, text("unknown_choice", lang, choices=", ".join(choices))
    return value, None


def _clean_themes(value: object, theme_ids: Collection[str], lang: str) -> tuple[list[str] | None, str | None]:
    if value is None:
        return [], None
    if not isinstance(value, list):
        return None, text("themes_not_list", lang)
    seen: list[str] = []
    for item in value:
        if not isinstance(item, str) or item not in theme_ids:
            if not theme_ids:
                return None, text("no_themes_available", lang)
            return None, text("unknown_theme", lang, theme=item if isinstance(item, str) else repr(item))
        if item not in seen:
            seen.append(item)
    return seen, None


def clean_person(value: object, lang: str) -> tuple[dict | None, dict[str, str]]:
    """{name, email} → (cleaned, {}) or (None, {"name"|"email": message})."""
    if not isinstance(value, Mapping):
        return None, {"": text("not_object", lang)}
    errors: dict[str, str] = {}
    name, error = clean_text(value.get("name"), max_len=NAME_MAX, lang=lang)
    if error:
        errors["name"] = error
    email = value.get("email")
    if not is_valid_email(email):
        errors["email"] = text("email_invalid", lang)
    if errors:
        return None, errors
    return {"name": name, "email": str(email).strip()}, {}


def _clean_presenters(value: object, lang: str) -> tuple[list[dict] | None, str | None]:
    if value is None:
        return [], None
    if not isinstance(value, list):
        return None, text("presenters_not_list", lang)
    if len(value) > PRESENTERS_MAX:
        return None, text("presenters_too_many", lang, max=PRESENTERS_MAX)
    cleaned: list[dict] = []
    for n, item in enumerate(value, start=1):
        person, errors = clean_person(item, lang)
        if "" in errors:
            return None, text("presenter_not_object", lang, n=n)
        if "name" in errors:
            if errors["name"] == text("required", lang):
                return None, text("presenter_name_missing", lang, n=n)
            return None, text("presenter_name_too_long", lang, n=n, max=NAME_MAX)
        if "email" in errors:
            return None, text("presenter_email_invalid", lang, n=n)
        cleaned.append(person)  # type: ignore[arg-type]
    return _dedupe_presenters(cleaned), None


def _dedupe_presenters(presenters: Sequence[Mapping]) -> list[dict]:
    seen: set[str] = set()
    out: list[dict] = []
    for person in presenters:
        key = normalise_email(person["email"])
        if key not in seen:
            seen.add(key)
            out.append({"name": person["name"], "email": person["email"]})
    return out


# ---------------------------------------------------------------------------------------------


def validate_contribution(
    payload: object,
    *,
    kinds: Sequence[str],
    formats: Sequence[str],
    theme_ids: Collection[str],
    lang: str,
    partial: bool = False,
    check_municipality: MunicipalityCheck | None = None,
) -> dict:
    """Check a contribution body and return it cleaned; raise ContributionFieldErrors otherwise.

    With `partial=True` (PATCH) only the fields present are checked and returned. Unknown fields
    are ignored. Returned presenters are deduplicated by email (case-insensitively); the applicant
    is added by `ensure_applicant_presenter`, which may bring the list to PRESENTERS_MAX + 1.
    A body that is not an object gives the single field `body`.
    """
    if not isinstance(payload, Mapping):
        raise ContributionFieldErrors({"body": text("body_not_object", lang)})
    checks: dict[str, Callable[[object], tuple[object, str | None]]] = {
        "kind": lambda v: _clean_choice(v, kinds, lang),
        "format": lambda v: _clean_choice(v, formats, lang),
        "title": lambda v: clean_text(v, max_len=TITLE_MAX, lang=lang),
        "summary": lambda v: clean_text(v, max_len=SUMMARY_MAX, lang=lang),
        "themes": lambda v: _clean_themes(v, theme_ids, lang),
        "municipality": lambda v: clean_municipality(v, lang=lang, check=check_municipality),
        "presenters": lambda v: _clean_presenters(v, lang),
    }
    cleaned: dict = {}
    errors: dict[str, str] = {}
    for field, check in checks.items():
        if partial and field not in payload:
            continue
        value, error = check(payload.get(field))
        if error:
            errors[field] = error
        else:
            cleaned[field] = value
    if errors:
        raise ContributionFieldErrors(errors)
    return cleaned


def validate_decision(payload: object, *, session_ids: Collection[str], lang: str) -> dict:
    """The organiser's `{"status", "note", "session_id"}` → cleaned, or ContributionFieldErrors."""
    if not isinstance(payload, Mapping):
        raise ContributionFieldErrors({"body": text("body_not_object", lang)})
    errors: dict[str, str] = {}
    status = payload.get("status")
    if status not in DECISION_STATUSES:
        errors["status"] = text("decision_status", lang)
    note, error = clean_text(payload.get("note"), max_len=NOTE_MAX, lang=lang, required=False)
    if error:
        errors["note"] = error
    session_id = payload.get("session_id")
    if session_id is not None:
        if not isinstance(session_id, str) or session_id not in session_ids:
            shown = session_id if isinstance(session_id, str) else repr(session_id)
            errors["session_id"] = text("unknown_session", lang, session=shown)
        elif status == "rejected":
            errors["session_id"] = text("session_only_when_accepted", lang)
    if errors:
        raise ContributionFieldErrors(errors)
    return {"status": status, "note": note, "session_id": session_id}


def ensure_applicant_presenter(
    presenters: Sequence[Mapping], applicant_name: str, applicant_email: str
) -> list[dict]:
    """The applicant always presents: put them first unless listed; no email twice."""
    listed = any(normalise_email(p["email"]) == normalise_email(applicant_email) for p in presenters)
    ordered = list(presenters) if listed else [{"name": applicant_name, "email": applicant_email}, *presenters]
    return _dedupe_presenters(ordered)


def window_state(opens: datetime | None, deadline: datetime | None, now: datetime) -> WindowState:
    """Where `now` falls in a submission window, to the second.

    The deadline second itself is inside the window: with a deadline of 23:59:59, a request at
    23:59:59.999 is on time. `None` leaves that side of the window open.
    """
    for instant in (opens, deadline, now):
        if instant is not None and instant.utcoffset() is None:
            raise ValueError("window instants must be timezone-aware")
    now_s = now.replace(microsecond=0)
    if opens is not None and now_s < opens.replace(microsecond=0):
        return "not_open"
    if deadline is not None and now_s > deadline.replace(microsecond=0):
        return "closed"
    return "open"


WINDOW_ERROR_CODES = {"not_open": "registration_not_open", "closed": "registration_closed"}


def can_add(existing_active_count: int, max_per_application: int | None) -> bool:
    """Whether one more contribution fits; count only ACTIVE_STATUSES. None means no limit."""
    return max_per_application is None or existing_active_count < max_per_application


def counts_towards_limit(status: str) -> bool:
    return status in ACTIVE_STATUSES
