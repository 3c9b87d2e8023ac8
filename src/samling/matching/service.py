"""Matching's use cases: its participant projection, forming groups, pairing rounds.

>>> form("klimakronsj-2021", {"facilitators": [{"name": "Ola", "email": "ola@example.no"}, ...]}, "nb")
{"groups": [{"id": "g1", "facilitator": {...}, "members": [...]}, ...], "score": {...}}  # doctest: +SKIP

The algorithms (``groups``, ``pairing``) take plain data; this module reads the projection and
the store, turns refusals into the contract's errors, publishes what happened and asks
notifications to tell everyone, with mail keys that make a repeated request mail no one twice.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from samling import registry
from samling.contracts import EmailRequested, Envelope, GroupsFormed, PairingsMade
from samling.matching.groups import Facilitator, GroupingImpossible, NotEnoughFacilitators, Person, form_groups
from samling.matching.pairing import NoValidPairing, pair_round_detailed
from samling.matching.store import ConditionFailed, MatchingStore
from samling.participants import ParticipantProjection
from samling.platform import bus, clock, i18n, ids
from samling.platform.errors import ApiError

SERVICE = "matching"
DEFAULT_SIZES = (3, 6)
KINDS = ("feedback", "networking")
NAME_MAX = 200
# Modest on purpose, like the application form: whether an address works shows when mail arrives.
_EMAIL = re.compile(r"^[^@\s]{1,64}@(?=.{1,253}$)[^@\s.]+(\.[^@\s.]+)*\.[^@\s.]{2,}$")

_TEXTS = {
    "facilitators.required": {
        "nb": "Oppgi en liste med fasilitatorer, hver med navn og e-postadresse.",
        "nn": "Oppgje ei liste med fasilitatorar, kvar med namn og e-postadresse.",
        "en": "Give a list of facilitators, each with a name and an email address."},
    "facilitator.shape": {
        "nb": "Hver fasilitator må ha navn og e-postadresse.",
        "nn": "Kvar fasilitator må ha namn og e-postadresse.",
        "en": "Each facilitator needs a name and an email address."},
    "name.required": {
        "nb": "Skriv inn fasilitatorens navn.", "nn": "Skriv inn namnet til fasilitatoren.",
        "en": "Enter the facilitator's name."},
    "email.invalid": {
        "nb": "Skriv inn en gyldig e-postadresse.", "nn": "Skriv inn ei gyldig e-postadresse.",
        "en": "Enter a valid email address."},
    "email.duplicate": {
        "nb": "Hver fasilitator kan bare lede én gruppe, og denne e-postadressen står allerede på listen.",
        "nn": "Kvar fasilitator kan berre leie éi gruppe, og denne e-postadressa står allereie på lista.",
        "en": "Each facilitator can lead only one group, and this email address is already on the list."},
    "language.invalid": {
        "nb": "Velg nb, nn eller en.", "nn": "Vel nb, nn eller en.", "en": "Choose nb, nn or en."},
    "replace.invalid": {
        "nb": "Oppgi true eller false.", "nn": "Oppgje true eller false.", "en": "Give true or false."},
    "groups.exist": {
        "nb": "Gruppene er allerede satt sammen. Send «replace»: true for å sette dem sammen på nytt.",
        "nn": "Gruppene er allereie sette saman. Send «replace»: true for å setje dei saman på nytt.",
        "en": "The groups have already been formed. Send \"replace\": true to form them again."},
    "kind.invalid": {
        "nb": "Velg «feedback» (tilbakemelding) eller «networking» (nettverk).",
        "nn": "Vel «feedback» (tilbakemelding) eller «networking» (nettverk).",
        "en": "Choose \"feedback\" or \"networking\"."},
    "feedback.needs_groups": {
        "nb": "Tilbakemeldingspar går på tvers av gruppene, så gruppene må settes sammen først.",
        "nn": "Tilbakemeldingspar går på tvers av gruppene, så gruppene må setjast saman først.",
        "en": "Feedback pairs cross the groups, so the groups must be formed first."},
    "concurrent": {
        "nb": "Noen andre endret dette samtidig. Prøv igjen.",
        "nn": "Nokon andre endra dette samstundes. Prøv igjen.",
        "en": "Someone else changed this at the same moment. Please try again."},
}


def _t(key: str, lang: str) -> str:
    return i18n.pick(_TEXTS[key], lang)


class Conflict(ApiError):
    """A 409 ``state_conflict`` that may carry facts beside the message (``needed``, ``given``)."""

    def __init__(self, message: str, **facts: Any) -> None:
        super().__init__("state_conflict", message)
        self.facts = facts

    def body(self, message: str) -> dict:
        out = super().body(message)
        out["error"].update(self.facts)
        return out


def projection() -> ParticipantProjection:
    return ParticipantProjection(SERVICE)


def store() -> MatchingStore:
    return MatchingStore()


def handle(env: Envelope) -> None:
    projection().apply(env, on_erase=store().forget_person)


# --- who takes part ----------------------------------------------------------------------------
def _person(p: dict) -> Person:
    """The attributes the algorithms mix on, filled in from the registry where the message is silent."""
    municipality = registry.municipality(p["municipality"]) if p.get("municipality") else None
    county = p.get("county") or (municipality.county_number if municipality else None)
    return Person(id=p["id"], municipality=p.get("municipality"), county=county,
                  size_class=municipality.size_class if municipality else None,
                  sector=p.get("sector"), experience=p.get("experience"),
                  interests=tuple(p.get("interests") or ()), theme=p.get("theme"))


def _place(p: dict) -> str | None:
    """Where someone comes from, as people say it: the municipality, else the county or the body."""
    municipality = registry.municipality(p["municipality"]) if p.get("municipality") else None
    if municipality:
        return municipality.name
    county = registry.county(p["county"]) if p.get("county") else None
    if county:
        return county.name
    return p.get("organisation") or None


def _event(event_id: str, lang: str) -> dict:
    event = projection().event(event_id)
    if event is None:
        raise ApiError("not_found")
    return event


def _sizes(event: dict) -> tuple[int, int]:
    block = event.get("groups") or {}
    low = block.get("min_size") or DEFAULT_SIZES[0]
    high = block.get("max_size") or max(DEFAULT_SIZES[1], low)
    return int(low), int(high)


def _title(event: dict, lang: str) -> str:
    return i18n.event_title(event, lang)


def _first_language(event: dict) -> str:
    return next((lang for lang in event.get("languages") or () if lang in i18n.LANGUAGES), "nb")


def _mail(event: dict, *, key: str, to: str, name: str, language: str, template: str,
          participant_id: str | None, **context: Any) -> EmailRequested:
    return EmailRequested(
        key=key, to=to, template=template, language=language, participant_id=participant_id,
        context={"name": name, "event_title": _title(event, language),
                 "organiser": event.get("organiser", ""), **context})


# --- groups ------------------------------------------------------------------------------------
def last_groups(event_id: str, lang: str) -> dict:
    _event(event_id, lang)
    doc = store().groups(event_id)
    if doc is None:
        raise ApiError("not_found")
    return doc


def _facilitators(payload: Any, lang: str) -> tuple[list[dict], bool]:
    if not isinstance(payload, dict) or not isinstance(payload.get("facilitators"), list):
        raise ApiError("validation_error", fields={"facilitators": _t("facilitators.required", lang)})
    fields: dict[str, str] = {}
    replace = payload.get("replace", False)
    if not isinstance(replace, bool):
        fields["replace"] = _t("replace.invalid", lang)
    chosen, seen = [], set()
    for i, item in enumerate(payload["facilitators"]):
        if not isinstance(item, dict):
            fields[f"facilitators.{i}"] = _t("facilitator.shape", lang)
            continue
        name, email, language = item.get("name"), item.get("email"), item.get("language")
        if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
            fields[f"facilitators.{i}.name"] = _t("name.required", lang)
        if not isinstance(email, str) or not _EMAIL.match(email.strip()):
            fields[f"facilitators.{i}.email"] = _t("email.invalid", lang)
        elif email.strip().lower() in seen:
            fields[f"facilitators.{i}.email"] = _t("email.duplicate", lang)
        else:
            seen.add(email.strip().lower())
        if language is not None and language not in i18n.LANGUAGES:
            fields[f"facilitators.{i}.language"] = _t("language.invalid", lang)
        if not any(k.startswith(f"facilitators.{i}") for k in fields):
            chosen.append({"name": name.strip(), "email": email.strip(), "language": language})
    if fields:
        raise ApiError("validation_error", fields=fields)
    return chosen, replace


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def form(event_id: str, payload: Any, lang: str) -> dict:
    event = _event(event_id, lang)
    facilitators, replace = _facilitators(payload, lang)
    groups_store = store()
    existing, version = groups_store.groups_versioned(event_id)
    if existing is not None and not replace:
        raise Conflict(_t("groups.exist", lang))
    confirmed = projection().confirmed(event_id)
    low, high = _sizes(event)
    try:
        result = form_groups([_person(p) for p in confirmed], low, high,
                             [Facilitator(f["name"], f["email"]) for f in facilitators])
    except NotEnoughFacilitators as exc:
        raise Conflict(exc.messages[lang], needed=exc.needed, given=exc.given)
    except GroupingImpossible as exc:
        raise Conflict(exc.messages[lang])
    doc = {**result.to_dict(), "formed_at": clock.iso(clock.now())}
    try:
        groups_store.save_groups(event_id, doc, expected_version=version)
    except ConditionFailed:
        raise Conflict(_t("concurrent", lang))
    bus.publish(GroupsFormed(groups=doc["groups"]), event_id=event_id)
    languages = {f["email"]: f["language"] for f in facilitators}
    bus.request_emails(_group_mails(event, doc["groups"], confirmed, languages), event_id=event_id)
    return doc


def _group_mails(event: dict, groups: list[dict], confirmed: list[dict],
                 languages: dict[str, str | None]) -> list[EmailRequested]:
    people = {p["id"]: p for p in confirmed}
    mails = []
    for group in groups:
        facilitator = group["facilitator"]
        members = [people[m] for m in group["members"]]
        # The key names what the mail says (who is in the group, who leads it), so re-forming
        # groups tells only those whose group changed.
        digest = _digest(facilitator["email"].lower(), sorted(group["members"]))
        for person in members:
            mails.append(_mail(
                event, key=f"group_assigned:{event['id']}:{digest}:{person['id']}", to=person["email"],
                name=person["name"], language=person.get("language") or _first_language(event),
                template="group_assigned", participant_id=person["id"],
                members=[{"name": m["name"], "municipality_name": _place(m)} for m in members],
                facilitator_name=facilitator["name"]))
        mails.append(_mail(
            event, key=f"facilitator_group:{event['id']}:{digest}:{ids.email_key(facilitator['email'])}",
            to=facilitator["email"], name=facilitator["name"],
            language=languages.get(facilitator["email"]) or _first_language(event),
            template="facilitator_group", participant_id=None,
            members=[{"name": m["name"], "municipality_name": _place(m), "email": m["email"]}
                     for m in members]))
    return mails


# --- pairing rounds ----------------------------------------------------------------------------
def rounds(event_id: str, lang: str) -> dict:
    _event(event_id, lang)
    return {"rounds": [_public_round(r) for r in store().rounds(event_id)]}


def _public_round(doc: dict) -> dict:
    return {"round": doc["round"], "kind": doc["kind"], "pairs": doc["pairs"],
            "made_at": doc.get("made_at")}


def pair(event_id: str, payload: Any, lang: str) -> dict:
    event = _event(event_id, lang)
    kind = payload.get("kind") if isinstance(payload, dict) else None
    if kind not in KINDS:
        raise ApiError("validation_error", fields={"kind": _t("kind.invalid", lang)})
    matching_store = store()
    group_of: dict[str, str] | None = None
    if kind == "feedback":
        groups = matching_store.groups(event_id)
        if groups is None:
            raise Conflict(_t("feedback.needs_groups", lang))
        group_of = {m: g["id"] for g in groups["groups"] for m in g["members"]}
    confirmed = projection().confirmed(event_id)
    attrs = {p["id"]: _person(p) for p in confirmed}
    if group_of is not None:
        # Someone confirmed after the groups were formed has no group mates to avoid, so any
        # partner from a group is a cross-group pair for them.
        group_of = {pid: group_of.get(pid, f"~{pid}") for pid in attrs}
    earlier = matching_store.rounds(event_id)
    previous = [frozenset(pair) for r in earlier for pair in r["pairs"]]
    try:
        result = pair_round_detailed(list(attrs), attrs, kind=kind, group_of=group_of,
                                     previous_pairs=previous, allow_relaxed_triple=False)
    except NoValidPairing as exc:
        raise Conflict(exc.messages[lang])
    number = (earlier[-1]["round"] if earlier else 0) + 1
    doc = {"round": number, "kind": kind, "pairs": [list(p) for p in result.pairs],
           "made_at": clock.iso(clock.now())}
    try:
        matching_store.add_round(event_id, doc)
    except ConditionFailed:
        raise Conflict(_t("concurrent", lang))
    bus.publish(PairingsMade(round=number, kind=kind, pairs=doc["pairs"]), event_id=event_id)
    people = {p["id"]: p for p in confirmed}
    bus.request_emails(_partner_mails(event, doc, people), event_id=event_id)
    return _public_round(doc)


def _partner_mails(event: dict, doc: dict, people: dict[str, dict]) -> list[EmailRequested]:
    mails = []
    for meeting in doc["pairs"]:
        for pid in meeting:
            person = people[pid]
            partners = [people[o] for o in meeting if o != pid]
            mails.append(_mail(
                event, key=f"partner_assigned:{event['id']}:{doc['round']}:{pid}", to=person["email"],
                name=person["name"], language=person.get("language") or _first_language(event),
                template="partner_assigned", participant_id=pid, round=doc["round"],
                pairing_kind=doc["kind"],
                partners=[{"name": o["name"], "municipality_name": _place(o), "email": o["email"]}
                          for o in partners]))
    return mails
