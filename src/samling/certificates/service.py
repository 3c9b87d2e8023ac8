"""Certificates' use cases: attendance, issuing, download and verification.

>>> record_attendance("klimakronsj-2021", {"session_id": "s1", "participant_ids": ["a1"]}, "nb")
{"session_id": "s1", "recorded": ["a1"], "added": ["a1"], "attendance": {"s1": ["a1"], ...}}  # doctest: +SKIP
>>> issue("klimakronsj-2021", "nb")
{"issued": [{"id": "c…", "participant_id": "a1", "number": "KL21-0001", "code": "7KQ3M-XW0DR"}],
 "already": 0, "not_qualified": 3, "remaining": 0}  # doctest: +SKIP

Who is confirmed, and the event's sessions and certificate rules, come from the service's own
projection of registration's messages. The rules (``rules``, ``codes``) are pure; this module
stores, renders, publishes and asks notifications to mail the link.

Issuing is idempotent per participant: the person's certificate record is claimed with a
version check before anything is drawn, so two runs at once cannot both issue, and a run after
a crash picks up a half-done certificate (same id, number and code) once its claim has gone
stale. A large event may take more than one call: a run stops drawing when its time is up and
reports how many qualified people are still ``remaining``.

The download link carries a token minted for that certificate alone (only its hash is kept):
the applicant's own token belongs to registration and never reaches this service.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from samling import registry
from samling.certificates import codes, rules, texts
from samling.certificates.store import CertificatesStore, ConditionFailed, pdf_key
from samling.contracts import AttendanceRecorded, CertificateIssued, EmailRequested, Envelope
from samling.participants import ParticipantProjection
from samling.platform import auth, bus, clock, i18n, ids, settings
from samling.platform.errors import ApiError

SERVICE = "certificates"
MAX_IDS = 2000
# A claim older than this belongs to a run that died; the next run may finish the certificate.
STALE_CLAIM_SECONDS = 300
CODE_ATTEMPTS = 8
# Drawing a certificate takes a quarter of a second or so, and API Gateway gives a request 29 s.
# A run stops drawing after this long and says how many are left; calling again goes on.
ISSUE_BUDGET_SECONDS = 20.0
TEMPLATE_DIR = Path(__file__).with_name("templates")

_TEXTS = {
    "body.object": {
        "nb": "Send et JSON-objekt med «session_id» og «participant_ids».",
        "nn": "Send eit JSON-objekt med «session_id» og «participant_ids».",
        "en": "Send a JSON object with \"session_id\" and \"participant_ids\"."},
    "session.required": {
        "nb": "Oppgi hvilken økt oppmøtet gjelder.",
        "nn": "Oppgje kva økt oppmøtet gjeld.",
        "en": "Say which session the attendance is for."},
    "session.unknown": {
        "nb": "Arrangementet har ingen økt med denne id-en. Velg en av: {ids}.",
        "nn": "Arrangementet har inga økt med denne id-en. Vel ei av: {ids}.",
        "en": "The event has no session with this id. Choose one of: {ids}."},
    "ids.list": {
        "nb": "Oppgi en liste med deltaker-id-er (høyst {max}).",
        "nn": "Oppgje ei liste med deltakar-id-ar (høgst {max}).",
        "en": "Give a list of participant ids (at most {max})."},
    "ids.not_confirmed": {
        "nb": "Ikke bekreftede deltakere på arrangementet: {ids}.",
        "nn": "Ikkje stadfeste deltakarar på arrangementet: {ids}.",
        "en": "Not confirmed participants of the event: {ids}."},
    "ids.not_leaders": {
        "nb": "Økten er bare for ordførere og kommunedirektører, og disse er ikke det: {ids}.",
        "nn": "Økta er berre for ordførarar og kommunedirektørar, og desse er ikkje det: {ids}.",
        "en": "The session is only for mayors and chief municipal executives, and these are not: {ids}."},
    "no_certificate": {
        "nb": "Arrangementet gir ikke deltakerbevis. Legg til «certificate» i oppsettet først.",
        "nn": "Arrangementet gir ikkje deltakarbevis. Legg til «certificate» i oppsettet først.",
        "en": "The event does not give certificates. Add \"certificate\" to its configuration first."},
}


def _t(key: str, lang: str, **values: Any) -> str:
    return i18n.pick(_TEXTS[key], lang).format(**values)


def projection() -> ParticipantProjection:
    return ParticipantProjection(SERVICE)


def store() -> CertificatesStore:
    return CertificatesStore()


def handle(env: Envelope) -> None:
    projection().apply(env, on_erase=store().forget_person)


def _event(event_id: str) -> dict:
    event = projection().event(event_id)
    if not event:
        raise ApiError("not_found")
    return event


def _sessions(event: dict) -> list[rules.SessionInfo]:
    return [rules.SessionInfo.from_config(s) for s in event.get("sessions") or []]


def _is_leader(person: dict) -> bool:
    return bool(person.get("is_leader")) or rules.is_leader_role(person.get("role"))


def _listed(ids_: list[str]) -> str:
    return ", ".join(ids_)


# --- attendance ----------------------------------------------------------------------------------
def record_attendance(event_id: str, payload: Any, lang: str) -> dict:
    """Mark confirmed participants present at one session. All or nothing: if any id is not a
    confirmed participant who may attend that session, nothing is recorded and the 422 names
    them. Recording someone again changes nothing and publishes nothing."""
    event = _event(event_id)
    if not isinstance(payload, dict):
        raise ApiError("validation_error", fields={"body": _t("body.object", lang)})
    sessions = {s["id"]: s for s in event.get("sessions") or []}
    fields: dict[str, str] = {}
    session_id = payload.get("session_id")
    if not isinstance(session_id, str) or not session_id.strip():
        fields["session_id"] = _t("session.required", lang)
    elif session_id not in sessions:
        fields["session_id"] = _t("session.unknown", lang, ids=_listed(list(sessions)) or "–")
    given = payload.get("participant_ids")
    if (not isinstance(given, list) or len(given) > MAX_IDS
            or not all(isinstance(p, str) and p for p in given)):
        fields["participant_ids"] = _t("ids.list", lang, max=MAX_IDS)
    if fields:
        raise ApiError("validation_error", fields=fields)

    wanted = list(dict.fromkeys(given))
    confirmed = {p["id"]: p for p in projection().confirmed(event_id)}
    strangers = [p for p in wanted if p not in confirmed]
    leaders_only = (sessions[session_id].get("audience") or "all") == "leaders"
    outsiders = [p for p in wanted if p in confirmed and leaders_only and not _is_leader(confirmed[p])]
    problems = []
    if strangers:
        problems.append(_t("ids.not_confirmed", lang, ids=_listed(strangers)))
    if outsiders:
        problems.append(_t("ids.not_leaders", lang, ids=_listed(outsiders)))
    if problems:
        raise ApiError("validation_error", fields={"participant_ids": " ".join(problems)})

    records = store()
    at = clock.iso(clock.now())
    added = [p for p in wanted if records.add_attendance(event_id, session_id, p, at=at)]
    if added:
        bus.publish(AttendanceRecorded(session_id=session_id, participant_ids=added), event_id=event_id)
    present = records.attendance(event_id)
    return {"session_id": session_id, "recorded": wanted, "added": added,
            "attendance": {sid: sorted(p for p, attended in present.items() if sid in attended)
                           for sid in sessions}}


# --- issuing -------------------------------------------------------------------------------------
def issue(event_id: str, lang: str) -> dict:
    event = _event(event_id)
    terms = event.get("certificate")
    if not terms:
        raise ApiError("state_conflict", _t("no_certificate", lang))
    sessions = _sessions(event)
    threshold = float(terms.get("min_attendance", 1.0))
    records = store()
    present = records.attendance(event_id)
    issued, already, not_qualified, remaining = [], 0, 0, 0
    started = time.monotonic()
    for person in projection().confirmed(event_id):
        doc, version = records.certificate_of(event_id, person["id"])
        if doc and doc.get("status") == "issued":
            already += 1
            if not doc.get("mailed"):
                _mail(records, doc, version, person, event)
            continue
        if not rules.qualifies(present.get(person["id"], set()), sessions, _is_leader(person), threshold):
            not_qualified += 1
            continue
        if doc and time.time() - float(doc.get("claimed_at", 0)) < STALE_CLAIM_SECONDS:
            already += 1  # another run is issuing it right now
            continue
        if issued and time.monotonic() - started > ISSUE_BUDGET_SECONDS:
            remaining += 1
            continue
        made = _issue_one(records, event, person, doc, version)
        if made is None:
            already += 1
        else:
            issued.append({k: made[k] for k in ("id", "participant_id", "number", "code")})
    return {"issued": issued, "already": already, "not_qualified": not_qualified, "remaining": remaining}


def _issue_one(records: CertificatesStore, event: dict, person: dict, doc: dict | None,
               version: int) -> dict | None:
    """Claim, number, code, draw, store, publish and mail one certificate; None if another run
    claimed it first."""
    event_id = event["id"]
    cert = dict(doc or {"id": ids.new_id("c"), "event_id": event_id, "participant_id": person["id"]})
    cert.update(status="pending", claimed_at=time.time())
    try:
        version = records.save_certificate(cert, expected_version=version)
    except ConditionFailed:
        return None
    if not cert.get("number"):
        cert["number"] = codes.certificate_number(event_id, records.next_number(event_id))
    if not cert.get("code"):
        cert["code"] = _fresh_code(records, event_id, person["id"], cert["id"])
    cert["pdf_key"] = pdf_key(event_id, cert["id"])
    # Keep number and code before the slow part, so a crash cannot waste them.
    version = records.save_certificate(cert, expected_version=version)

    lang = texts.normalise_lang(person.get("language"))
    title = i18n.pick(event.get("title"), lang, fallback=event.get("languages") or i18n.LANGUAGES)
    issued_on = clock.now().astimezone(clock.OSLO).date()
    verify_url = codes.verification_url(settings.public_url(), cert["code"])
    municipality = registry.municipality(person["municipality"]) if person.get("municipality") else None
    terms = event["certificate"]

    from samling.certificates.pdf import CertificateData, render_certificate

    body = render_certificate(CertificateData(
        number=cert["number"], code=cert["code"], verify_url=verify_url, name=person["name"],
        municipality=municipality.name if municipality else None, event_title=title,
        dates_text=rules.event_dates_text(_sessions(event), lang), hours=terms.get("hours"),
        organiser=event.get("organiser") or "", signer=terms.get("signer") or "", issued=issued_on,
    ), lang)
    records.put_pdf(event_id, cert["id"], body)
    cert.update(status="issued", name=person["name"], language=lang, event_title=title,
                organiser=event.get("organiser") or "", issued=issued_on.isoformat(),
                issued_at=clock.iso(clock.now()), mailed=False)
    version = records.save_certificate(cert, expected_version=version)
    bus.publish(CertificateIssued(certificate_id=cert["id"], participant_id=person["id"], code=cert["code"],
                                  download_url=_download_url(cert["id"]), verify_url=verify_url),
                event_id=event_id)
    _mail(records, cert, version, person, event)
    return cert


def _fresh_code(records: CertificatesStore, event_id: str, participant_id: str, certificate_id: str) -> str:
    for _ in range(CODE_ATTEMPTS):
        code = codes.new_verification_code()
        if records.claim_code(code, event_id=event_id, participant_id=participant_id,
                              certificate_id=certificate_id):
            return code
    raise RuntimeError("no free verification code after several attempts")


def _download_url(certificate_id: str, token: str | None = None) -> str:
    url = f"{settings.public_url()}/certificates/certificates/{certificate_id}.pdf"
    return f"{url}?token={token}" if token else url


def _mail(records: CertificatesStore, cert: dict, version: int, person: dict, event: dict) -> None:
    """Mint the download token, keep only its hash, and ask for the mail that carries it.

    The mail key names the token, so a mail lost before it was requested is asked for again
    with a fresh link, while asking twice with the same link mails once."""
    token = ids.new_token()
    cert["token_hash"] = ids.hash_token(token)
    version = records.save_certificate(cert, expected_version=version)
    bus.request_email(EmailRequested(
        key=f"certificate_issued:{cert['id']}:{cert['token_hash'][:16]}", to=person["email"],
        template="certificate_issued", language=cert["language"], participant_id=person["id"],
        context={"name": person["name"], "event_title": cert["event_title"],
                 "organiser": cert["organiser"], "code": cert["code"],
                 "download_url": _download_url(cert["id"], token),
                 "verify_url": codes.verification_url(settings.public_url(), cert["code"])},
    ), event_id=event["id"])
    cert["mailed"] = True
    records.save_certificate(cert, expected_version=version)


# --- reading -------------------------------------------------------------------------------------
def listing(event_id: str, lang: str) -> list:
    _event(event_id)
    out = [{"id": c["id"], "participant_id": c["participant_id"], "name": c["name"], "number": c["number"],
            "code": c["code"], "issued": c["issued"], "url": _download_url(c["id"]),
            "verify_url": codes.verification_url(settings.public_url(), c["code"])}
           for c in store().certificates(event_id) if c.get("status") == "issued"]
    return sorted(out, key=lambda c: c["number"])


@dataclass(frozen=True)
class Pdf:
    body: bytes
    filename: str


def download(file_name: str, token: str | None, authorization: str | None, lang: str) -> Pdf:
    """The PDF for the holder of the mailed link, or for an organiser; 404 for anyone else,
    whether or not the certificate exists."""
    if not file_name.endswith(".pdf"):
        raise ApiError("not_found")
    records = store()
    cert = records.certificate(file_name[:-len(".pdf")])
    if not cert or cert.get("status") != "issued":
        raise ApiError("not_found")
    if not _may_download(cert, token, authorization):
        raise ApiError("not_found")
    body = records.get_pdf(cert["pdf_key"])
    if body is None:
        raise ApiError("not_found")
    return Pdf(body, f"{cert['number']}.pdf")


def _may_download(cert: dict, token: str | None, authorization: str | None) -> bool:
    """The mailed link's own token, the participant's applicant token, or an organiser."""
    if ids.token_matches(token, cert.get("token_hash")):
        return True
    person = projection().person(cert["event_id"], cert["participant_id"]) if cert.get("event_id") else None
    if person and ids.token_matches(token, person.get("token_hash")):
        return True
    return auth.is_organiser(authorization)


def verify(code: str, wants_html: bool, lang: str) -> dict | str:
    """The public check: a JSON answer, or for browsers the HTML page (a str)."""
    # The local gateway hands path parameters over still percent-encoded; API Gateway decodes
    # them. A code has no "%", so decoding again is harmless either way.
    canonical = codes.normalise_code(unquote(code))
    cert = store().by_code(canonical) if canonical else None
    result = ({"valid": True, "name": cert["name"], "event": cert["event_title"], "issued": cert["issued"]}
              if cert else {"valid": False})
    if not wants_html:
        return result
    return _verify_page(result, cert, canonical, lang)


@functools.cache
def _templates() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _verify_page(result: dict, cert: dict | None, code: str | None, lang: str) -> str:
    lang = texts.normalise_lang(lang)
    issued = texts.format_date(date.fromisoformat(cert["issued"]), lang) if cert else None
    return _templates().get_template("verify.html").render(
        lang=lang, valid=result["valid"], name=result.get("name"), event=result.get("event"),
        organiser=(cert or {}).get("organiser"), number=(cert or {}).get("number"), issued=issued, code=code)
