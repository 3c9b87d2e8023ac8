"""The registration service's domain models: an event's configuration and an applicant's input.

The event model is the contract of ``PUT /registration/events/{id}`` and of the seed files in
``events/``. ``Event.model_dump(mode="json")`` gives that shape back, with every instant in
ISO 8601 with the offset it was given in::

    event = Event.model_validate(payload)
    event.model_dump(mode="json")["registration"]["deadline"]  # "2021-06-21T23:59:59+02:00"
    event.public_view()  # the same without e-mail addresses, jury or meeting links

Municipality and county numbers are checked against ``samling.registry`` (the 2024 division).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

LANGUAGES = ("nb", "nn", "en")
ORGANISATION_TYPES = (
    "kommune",
    "fylkeskommune",
    "folkevalgt",
    "statlig",
    "naeringsliv",
    "sivilsamfunn",
    "fou",
)
# Applicants of these types name their municipality; a county authority names its county;
# everyone else names their organisation.
MUNICIPAL_ORGANISATION_TYPES = frozenset({"kommune", "folkevalgt"})
COUNTY_ORGANISATION_TYPES = frozenset({"fylkeskommune"})
SECTORS = (
    "klima_miljo",
    "plan",
    "helse_omsorg",
    "oppvekst_utdanning",
    "teknisk",
    "landbruk",
    "kultur_idrett",
    "naering",
    "innkjop",
    "eiendom",
    "ledelse",
    "annet",
)
EXPERIENCE_LEVELS = ("lite", "noe", "mye")
ROLES = ("ordforer", "kommunedirektor", "radgiver", "leder", "folkevalgt", "annet")
LEADER_ROLES = frozenset({"ordforer", "kommunedirektor"})
MUNICIPALITY_SIZES = ("small", "medium", "large")

STATUSES = (
    "submitted",
    "offered",
    "confirmed",
    "waitlisted",
    "declined",
    "not_selected",
    "withdrawn",
    "expired",
)
# Applications that still hold, or may still get, a place.
ACTIVE_STATUSES = frozenset({"submitted", "offered", "confirmed", "waitlisted"})

QUOTA_FIELDS = (
    "sector",
    "experience",
    "county",
    "municipality",
    "municipality_size",
    "organisation_type",
    "theme",
)
QUOTA_KINDS = ("min_distinct", "min_share", "max_share", "min_count", "max_count")

Language = Literal["nb", "nn", "en"]
OrganisationType = Literal[
    "kommune", "fylkeskommune", "folkevalgt", "statlig", "naeringsliv", "sivilsamfunn", "fou"
]
Sector = Literal[
    "klima_miljo",
    "plan",
    "helse_omsorg",
    "oppvekst_utdanning",
    "teknisk",
    "landbruk",
    "kultur_idrett",
    "naering",
    "innkjop",
    "eiendom",
    "ledelse",
    "annet",
]
Experience = Literal["lite", "noe", "mye"]
Status = Literal[
    "submitted",
    "offered",
    "confirmed",
    "waitlisted",
    "declined",
    "not_selected",
    "withdrawn",
    "expired",
]
QuotaField = Literal[
    "sector", "experience", "county", "municipality", "municipality_size", "organisation_type", "theme"
]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")
]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$"
    ),
]
# Texts by language; at least one.
LocalText = Annotated[dict[Language, Text], Field(min_length=1)]


class _Model(BaseModel):
    # A misspelt key in an organiser's configuration must fail loudly, not be dropped.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _registry():
    # Imported on use so that loading this module never depends on the registry's data files.
    from samling import registry

    return registry


def _check_municipality_number(number: str) -> str:
    if _registry().municipality(number) is None:
        raise ValueError(f"unknown municipality number {number!r} (2024 numbers, four digits)")
    return number


def _check_county_number(number: str) -> str:
    if _registry().county(number) is None:
        raise ValueError(f"unknown county number {number!r} (2024 numbers, two digits)")
    return number


class Person(_Model):
    name: ShortText
    email: Email


class Venue(_Model):
    name: ShortText
    address: ShortText
    municipality: str

    @field_validator("municipality")
    @classmethod
    def _known_municipality(cls, value: str) -> str:
        return _check_municipality_number(value)


class Session(_Model):
    id: Identifier
    title: LocalText
    start: AwareDatetime
    end: AwareDatetime
    mode: Literal["digital", "physical"]
    audience: Literal["all", "leaders"] = "all"
    theme: Identifier | None = None
    join_url: Annotated[str, StringConstraints(max_length=2000)] | None = None
    location: ShortText | None = None
    slots: Annotated[int, Field(ge=0)] = 0
    # Contribution formats the session takes; null takes any. Left out of the dump when null so
    # that events without it keep their shape.
    formats: Annotated[list[Identifier], Field(min_length=1)] | None = Field(
        default=None, exclude_if=lambda v: v is None
    )

    @model_validator(mode="after")
    def _ends_after_start(self) -> Session:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.formats is not None and len(set(self.formats)) != len(self.formats):
            raise ValueError("formats must not repeat a format")
        return self


class Theme(_Model):
    id: Identifier
    title: LocalText
    leader: Person | None = None


class Eligibility(_Model):
    organisation_types: list[OrganisationType] | None = None
    counties: list[str] | None = None
    municipalities: list[str] | None = None

    @field_validator("counties")
    @classmethod
    def _known_counties(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            for number in value:
                _check_county_number(number)
        return value

    @field_validator("municipalities")
    @classmethod
    def _known_municipalities(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            for number in value:
                _check_municipality_number(number)
        return value


class Registration(_Model):
    opens: AwareDatetime
    deadline: AwareDatetime
    mode: Literal["application", "first_come"]
    capacity: Annotated[int, Field(gt=0)]
    offer_response_days: Annotated[int, Field(ge=0, le=365)] = 7
    eligibility: Eligibility = Field(default_factory=Eligibility)
    max_per_municipality: Annotated[int, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _deadline_after_opening(self) -> Registration:
        if self.deadline <= self.opens:
            raise ValueError("deadline must be after opens")
        return self


Share = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0)]


class Quota(_Model):
    """One selection target. ``value`` names the group a share or count is about; without it a
    count applies to every value of the field (``{"field": "municipality", "max_count": 2}``:
    at most two from any one municipality)."""

    field: QuotaField
    value: str | None = None
    min_distinct: Annotated[int, Field(ge=1)] | None = None
    min_share: Share | None = None
    max_share: Share | None = None
    min_count: Count | None = None
    max_count: Count | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Quota:
        kinds = [kind for kind in QUOTA_KINDS if getattr(self, kind) is not None]
        if not kinds:
            raise ValueError(f"a quota needs one of {', '.join(QUOTA_KINDS)}")
        if self.min_distinct is not None and self.value is not None:
            raise ValueError("min_distinct counts distinct values and takes no value")
        if (self.min_share is not None or self.max_share is not None) and self.value is None:
            raise ValueError("a share quota needs a value")
        if self.min_share is not None and self.max_share is not None and self.min_share > self.max_share:
            raise ValueError("min_share must not exceed max_share")
        if self.min_count is not None and self.max_count is not None and self.min_count > self.max_count:
            raise ValueError("min_count must not exceed max_count")
        if self.value is not None:
            _check_quota_value(self.field, self.value)
        return self

    @model_serializer(mode="wrap")
    def _only_given(self, handler):
        # A quota is written as in the contract: its field and only the keys that apply.
        return {key: value for key, value in handler(self).items() if value is not None}


def _check_quota_value(field: str, value: str) -> None:
    allowed = {
        "sector": SECTORS,
        "experience": EXPERIENCE_LEVELS,
        "municipality_size": MUNICIPALITY_SIZES,
        "organisation_type": ORGANISATION_TYPES,
    }.get(field)
    if allowed is not None and value not in allowed:
        raise ValueError(f"value for {field} must be one of {', '.join(allowed)}")
    if field == "municipality":
        _check_municipality_number(value)
    elif field == "county":
        _check_county_number(value)


class Selection(_Model):
    quotas: list[Quota] = Field(default_factory=list)
    # How many of those not selected wait for a place, best first; the rest are told no at once.
    # None puts everyone not selected on the waiting list.
    waitlist_size: Annotated[int, Field(ge=0)] | None = Field(default=None, exclude_if=lambda v: v is None)


class Accommodation(_Model):
    nights: Annotated[list[dt.date], Field(min_length=1)]
    extra_night: dt.date | None = None
    quota_per_municipality: Annotated[int, Field(ge=0)]
    extra_night_min_km: Annotated[float, Field(ge=0)]
    leaders_priority: bool = False

    @model_validator(mode="after")
    def _extra_night_is_extra(self) -> Accommodation:
        if len(set(self.nights)) != len(self.nights):
            raise ValueError("nights must not repeat a date")
        if self.extra_night is not None and self.extra_night in self.nights:
            raise ValueError("extra_night must not be one of the nights")
        return self

    @field_validator("extra_night_min_km")
    @classmethod
    def _whole_when_whole(cls, value: float) -> float | int:
        # 150 stays 150 in JSON rather than becoming 150.0.
        return int(value) if float(value).is_integer() else value


class Groups(_Model):
    min_size: Annotated[int, Field(ge=2)]
    max_size: Annotated[int, Field(ge=2)]

    @model_validator(mode="after")
    def _ordered(self) -> Groups:
        if self.max_size < self.min_size:
            raise ValueError("max_size must not be smaller than min_size")
        return self


class Certificate(_Model):
    min_attendance: Annotated[float, Field(gt=0, le=1)]
    hours: Annotated[float, Field(gt=0)]
    signer: ShortText

    @field_validator("hours")
    @classmethod
    def _whole_when_whole(cls, value: float) -> float | int:
        return int(value) if float(value).is_integer() else value


DayOffsets = list[Annotated[int, Field(ge=0, le=365)]]
HourOffsets = list[Annotated[int, Field(ge=0, le=24 * 365)]]


class Reminders(_Model):
    deadline_days_before: DayOffsets = Field(default_factory=list)
    session_hours_before: HourOffsets = Field(default_factory=list)
    offer_days_before_expiry: DayOffsets = Field(default_factory=list)


class Contributions(_Model):
    opens: AwareDatetime
    deadline: AwareDatetime
    kinds: Annotated[list[Identifier], Field(min_length=1)]
    formats: Annotated[list[Identifier], Field(min_length=1)]
    max_per_application: Annotated[int, Field(ge=1)] = 3

    @model_validator(mode="after")
    def _deadline_after_opening(self) -> Contributions:
        if self.deadline <= self.opens:
            raise ValueError("deadline must be after opens")
        return self


class Criterion(_Model):
    id: Identifier
    title: LocalText
    weight: Annotated[float, Field(gt=0)]

    @field_validator("weight")
    @classmethod
    def _whole_when_whole(cls, value: float) -> float | int:
        return int(value) if float(value).is_integer() else value


class Award(_Model):
    title: LocalText
    nominations_open: AwareDatetime
    nominations_deadline: AwareDatetime
    criteria: Annotated[list[Criterion], Field(min_length=1)]
    jury: list[Person] = Field(default_factory=list)

    @model_validator(mode="after")
    def _coherent(self) -> Award:
        if self.nominations_deadline <= self.nominations_open:
            raise ValueError("nominations_deadline must be after nominations_open")
        ids = [criterion.id for criterion in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError("criteria ids must be unique")
        emails = [member.email.lower() for member in self.jury]
        if len(set(emails)) != len(emails):
            raise ValueError("a jury member must not be listed twice")
        return self


class Event(_Model):
    id: Identifier
    title: LocalText
    description: LocalText | None = None
    organiser: ShortText
    languages: Annotated[list[Language], Field(min_length=1)]
    venue: Venue | None = None
    sessions: list[Session] = Field(default_factory=list)
    themes: list[Theme] = Field(default_factory=list)
    registration: Registration
    selection: Selection = Field(default_factory=Selection)
    accommodation: Accommodation | None = None
    groups: Groups | None = None
    certificate: Certificate | None = None
    reminders: Reminders = Field(default_factory=Reminders)
    contributions: Contributions | None = None
    award: Award | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("languages must not repeat a language")
        if not set(self.title) & set(self.languages):
            raise ValueError("title must have a text in one of the event's languages")
        _unique("sessions", [session.id for session in self.sessions])
        _unique("themes", [theme.id for theme in self.themes])
        theme_ids = {theme.id for theme in self.themes}
        for session in self.sessions:
            if session.theme is not None and session.theme not in theme_ids:
                raise ValueError(f"session {session.id}: theme {session.theme!r} is not one of the themes")
        if self.contributions is not None:
            known = set(self.contributions.formats)
            for session in self.sessions:
                unknown = [f for f in session.formats or () if f not in known]
                if unknown:
                    raise ValueError(
                        f"session {session.id}: formats {unknown!r} are not among the contributions' formats"
                    )
        for quota in self.selection.quotas:
            if quota.field == "theme" and quota.value is not None and quota.value not in theme_ids:
                raise ValueError(f"quota on theme {quota.value!r}: not one of the themes")
        return self

    # Lookups the rules use often enough to deserve a name.
    def session(self, session_id: str) -> Session | None:
        return next((s for s in self.sessions if s.id == session_id), None)

    def theme(self, theme_id: str) -> Theme | None:
        return next((t for t in self.themes if t.id == theme_id), None)

    @property
    def first_language(self) -> str:
        return self.languages[0]

    def public_view(self) -> dict[str, Any]:
        """The configuration as anyone may see it: no e-mail addresses (theme leaders keep their
        name), no jury, and no meeting links (those go to confirmed participants only)."""
        data = self.model_dump(mode="json")
        for theme in data["themes"]:
            if theme["leader"] is not None:
                theme["leader"] = {"name": theme["leader"]["name"]}
        for session in data["sessions"]:
            session.pop("join_url", None)
        if data["award"] is not None:
            data["award"].pop("jury", None)
        return data


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{what}: id {item!r} is used twice")
        seen.add(item)


class AccommodationRequest(_Model):
    needed: bool = False
    extra_night: bool = False


class ApplicationInput(_Model):
    """An applicant's answers after ``rules.validate_application``: clean, normalised (e-mail in
    lower case, blank answers as ``None``, ``county`` filled in from the municipality)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: ShortText
    email: Email
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    organisation_type: OrganisationType
    municipality: str | None = None
    county: str | None = None
    organisation: ShortText | None = None
    role: ShortText | None = None
    sector: Sector | None = None
    experience: Experience | None = None
    motivation: Annotated[str, StringConstraints(max_length=5000)] | None = None
    language: Language
    theme: Identifier | None = None
    sessions: list[str] | None = None
    interests: list[str] = Field(default_factory=list)
    accommodation: AccommodationRequest | None = None
    dietary: Annotated[str, StringConstraints(max_length=500)] | None = None
    consent: Literal[True]

    @property
    def is_leader(self) -> bool:
        return self.role in LEADER_ROLES


# Organiser-facing explanations of pydantic's error types, so that a broken configuration
# reads "registration.deadline: must have a timezone offset" rather than pydantic's wording.
_CONFIG_ERRORS = {
    "timezone_aware": "must have a timezone offset",
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "datetime_parsing": "must be an ISO 8601 date and time with offset, e.g. 2021-06-21T23:59:59+02:00",
    "datetime_from_date_parsing": "must be an ISO 8601 date and time with offset, e.g. 2021-06-21T23:59:59+02:00",
    "datetime_type": "must be an ISO 8601 date and time with offset, e.g. 2021-06-21T23:59:59+02:00",
    "date_parsing": "must be a date, e.g. 2021-11-11",
    "date_from_datetime_parsing": "must be a date, e.g. 2021-11-11",
    "date_from_datetime_inexact": "must be a date, e.g. 2021-11-11",
    "date_type": "must be a date, e.g. 2021-11-11",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "frozen_instance": "cannot be changed",
}


def describe_config_errors(error: ValidationError) -> dict[str, str]:
    """``{"registration.deadline": "must have a timezone offset", ...}`` for an invalid event
    configuration; the path is dotted, list positions as numbers (``sessions.2.end``), and a rule
    that spans a whole block is reported at the block (``registration``) or at ``""`` (the event)."""
    fields: dict[str, str] = {}
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in item["loc"])
        kind = item["type"]
        if kind == "value_error":
            message = str(item.get("ctx", {}).get("error", item["msg"]))
        elif kind == "literal_error":
            message = "must be one of " + str(item.get("ctx", {}).get("expected", ""))
        elif kind == "string_pattern_mismatch":
            message = _pattern_message(path)
        elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
            ctx = item.get("ctx", {})
            bound = next(iter(ctx.values()), "")
            word = {
                "greater_than": "greater than",
                "greater_than_equal": "at least",
                "less_than": "less than",
                "less_than_equal": "at most",
            }[kind]
            message = f"must be {word} {bound}"
        elif kind in ("too_short", "too_long", "string_too_long"):
            message = "has too few items" if kind == "too_short" else "is too long"
        else:
            message = _CONFIG_ERRORS.get(kind, item["msg"])
        fields.setdefault(path, message)
    return fields


def _pattern_message(path: str) -> str:
    leaf = path.rsplit(".", 1)[-1]
    if leaf == "email":
        return "must be an e-mail address"
    return "must be lower-case letters, digits, '-' or '_' (at most 80 characters)"
