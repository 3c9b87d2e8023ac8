"""Use cases for events where participants bring their own practice: contributions, the programme
that places them, and an award chosen by a jury.

The rules are in ``contributions``, ``programme`` and ``award``; this module reads and writes the
registration table through ``RegistrationStore``'s generic helpers and says what is mailed.

Layout (beside the applications, under ``EVENT#<id>``):
  CONTRIB#<cid>                  a contribution (ref ``CONTRIB#<cid>/REF`` → its event)
  NOMINATION#<nid>               a nomination (ref ``NOMINATION#<nid>/REF``)
  NOMKEY#<digest>                "this nominator already nominated this" → the nomination id
  JUROR#<sha256(email)>          a jury member who has been sent a ballot: only the token's hash
  SCORE#<nid>#<sha256(email)>    one score sheet per juror and nomination
  RESULT#programme               the last placed programme (with its assignment, for stability)
  RESULT#award_winner            the published winner
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from datetime import datetime, timedelta
from typing import Any

from samling import registry
from samling.contracts import EmailRequested
from samling.platform import bus, clock, i18n, ids, settings
from samling.platform.dynamo import ConditionFailed
from samling.registration import award as awards
from samling.registration import contributions as contrib
from samling.registration import hooks, messages
from samling.registration.applications import Registration, error
from samling.registration.csvexport import to_csv
from samling.registration.model import Event
from samling.registration.programme import Placeable, SlotSession, place
from samling.registration.rules import local_text

CONTRIB, NOMINATION, NOMKEY, JUROR, SCORE = "CONTRIB", "NOMINATION", "NOMKEY", "JUROR", "SCORE"
EDITABLE = frozenset({"submitted", "accepted"})

TEXTS: dict[str, dict[str, str]] = {
    "unknown_contribution": {
        "nb": "Det finnes ikke noe slikt bidrag til dette arrangementet.",
        "nn": "Det finst ikkje noko slikt bidrag til dette arrangementet.",
        "en": "There is no such contribution to this event.",
    },
    "unknown_nomination": {
        "nb": "Det finnes ingen slik nominasjon.",
        "nn": "Det finst ingen slik nominasjon.",
        "en": "There is no such nomination.",
    },
    "winner_already_published": {
        "nb": "Vinneren er allerede kunngjort.",
        "nn": "Vinnaren er alt kunngjord.",
        "en": "The winner has already been announced.",
    },
    "too_many": {
        "nb": "Du kan melde inn høyst {max} bidrag.",
        "nn": "Du kan melde inn høgst {max} bidrag.",
        "en": "You can submit at most {max} contributions.",
    },
    "jury_too_early": {
        "nb": "Juryen kan først få nominasjonene når nominasjonsfristen er ute.",
        "nn": "Juryen kan først få nominasjonane når nominasjonsfristen er ute.",
        "en": "The jury can only be sent the nominations after the nomination deadline.",
    },
    "not_editable": {
        "nb": "Bidraget kan ikke endres lenger.",
        "nn": "Bidraget kan ikkje endrast lenger.",
        "en": "The contribution can no longer be changed.",
    },
    "application_withdrawn": {
        "nb": "Påmeldingen er trukket, så du kan ikke melde inn bidrag.",
        "nn": "Påmeldinga er trekt, så du kan ikkje melde inn bidrag.",
        "en": "The application has been withdrawn, so you cannot submit contributions.",
    },
}


def _t(key: str, lang: str, **params: object) -> str:
    variants = TEXTS[key]
    template = variants.get(lang) or variants["nb"]
    return template.format(**params) if params else template


def _municipality_name(number: str | None) -> str | None:
    found = registry.municipality(number) if number else None
    return found.name if found else None


def _digest(*parts: object) -> str:
    return hashlib.sha256("\n".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[:24]


def _field_errors(exc: contrib.ContributionFieldErrors, lang: str):
    return error("validation_error", lang, fields=exc.fields)


def _check_municipality(number: str, lang: str) -> object:
    return registry.check_municipality(number, lang)


class GronnPraksis:
    def __init__(self, registration: Registration | None = None) -> None:
        self.registration = registration or Registration()
        self.store = self.registration.store

    # --- lookups ---------------------------------------------------------------------------------
    def _event(self, event_id: str, lang: str) -> Event:
        return self.registration.event(event_id, lang)

    def _with_contributions(self, event_id: str, lang: str) -> Event:
        event = self._event(event_id, lang)
        if event.contributions is None:
            raise error("not_found", lang)
        return event

    def _with_award(self, event_id: str, lang: str) -> Event:
        event = self._event(event_id, lang)
        if event.award is None:
            raise error("not_found", lang)
        return event

    def _contribution(self, cid: str, lang: str) -> dict:
        event_id = self.store.ref(CONTRIB, cid)
        found = self.store.item(event_id, CONTRIB, cid) if event_id else None
        if found is None:
            raise error("not_found", lang)
        return found

    def _owned(self, cid: str, token: str | None, lang: str) -> tuple[dict, dict]:
        """The contribution and its application, if `token` opens that application; else 404."""
        event_id = self.store.ref(CONTRIB, cid)
        found = self.store.item(event_id, CONTRIB, cid) if event_id else None
        if found is None:
            raise error("not_found", lang)
        app, _ = self.registration.own(found["application_id"], token, lang)
        return found, app

    def _contributions(self, event_id: str) -> list[dict]:
        return sorted(self.store.items(event_id, CONTRIB), key=lambda c: (c["submitted_at"], c["id"]))

    # --- contributions (applicant) -------------------------------------------------------------
    def submit(self, app_id: str, token: str | None, payload: Any, lang: str) -> dict:
        app, _ = self.registration.own(app_id, token, lang)
        lang = app.get("language") or lang
        event = self._with_contributions(app["event_id"], lang)
        cfg = event.contributions
        if app["status"] == "withdrawn":
            raise error("state_conflict", lang, _t("application_withdrawn", lang))
        self._window(cfg.opens, cfg.deadline, "contributions", lang)
        active = sum(1 for c in self._contributions(event.id)
                     if c["application_id"] == app_id and contrib.counts_towards_limit(c["status"]))
        if not contrib.can_add(active, cfg.max_per_application):
            raise error("state_conflict", lang, _t("too_many", lang, max=cfg.max_per_application))
        data = self._validate(payload, event, lang)
        now = clock.now()
        cid = ids.new_id("c")
        doc = {"id": cid, "event_id": event.id, "application_id": app_id, **data,
               "presenters": contrib.ensure_applicant_presenter(data["presenters"], app["name"], app["email"]),
               "status": "submitted", "note": None, "session_id": None,
               "submitted_at": clock.iso(now), "seq": now.timestamp(), "updated_at": clock.iso(now),
               "decided_at": None}
        self.store.put_item(event.id, CONTRIB, cid, doc)
        self.store.put_ref(CONTRIB, cid, event.id)
        self.registration._mail(event, app, "contribution_received", {
            "contribution_title": doc["title"], "deadline": cfg.deadline.isoformat(),
            "manage_url": self.registration._manage_url(app, None)}, key=f"contribution_received:{cid}")
        return self._own_view(doc)

    def own_list(self, app_id: str, token: str | None, lang: str) -> list[dict]:
        app, _ = self.registration.own(app_id, token, lang)
        self._with_contributions(app["event_id"], app.get("language") or lang)
        return [self._own_view(c) for c in self._contributions(app["event_id"]) if c["application_id"] == app_id]

    def own_one(self, cid: str, token: str | None, lang: str) -> dict:
        doc, _ = self._owned(cid, token, lang)
        return self._own_view(doc)

    def edit(self, cid: str, token: str | None, payload: Any, lang: str) -> dict:
        doc, app = self._owned(cid, token, lang)
        lang = app.get("language") or lang
        event = self._with_contributions(doc["event_id"], lang)
        if contrib.window_state(None, event.contributions.deadline, clock.now()) == "closed":
            raise error("registration_closed", lang, messages.text("window.contributions_closed", lang))
        if doc["status"] not in EDITABLE:
            raise error("state_conflict", lang, _t("not_editable", lang))
        changes = self._validate(payload, event, lang, partial=True)
        if "presenters" in changes:
            changes["presenters"] = contrib.ensure_applicant_presenter(changes["presenters"], app["name"], app["email"])
        doc.update(changes)
        doc["updated_at"] = clock.iso(clock.now())
        self.store.put_item(doc["event_id"], CONTRIB, cid, doc)
        return self._own_view(doc)

    def withdraw(self, cid: str, token: str | None, lang: str) -> dict:
        doc, _ = self._owned(cid, token, lang)
        if doc["status"] != "withdrawn":
            doc["status"] = "withdrawn"
            doc["updated_at"] = clock.iso(clock.now())
            self.store.put_item(doc["event_id"], CONTRIB, cid, doc)
        return self._own_view(doc)

    def _validate(self, payload: Any, event: Event, lang: str, partial: bool = False) -> dict:
        try:
            return contrib.validate_contribution(
                payload, kinds=event.contributions.kinds, formats=event.contributions.formats,
                theme_ids=[t.id for t in event.themes], lang=lang, partial=partial,
                check_municipality=_check_municipality)
        except contrib.ContributionFieldErrors as exc:
            raise _field_errors(exc, lang)

    @staticmethod
    def _window(opens: datetime, deadline: datetime, what: str, lang: str) -> None:
        state = contrib.window_state(opens, deadline, clock.now())
        if state != "open":
            raise error(contrib.WINDOW_ERROR_CODES[state], lang, messages.text(f"window.{what}_{state}", lang))

    @staticmethod
    def _own_view(doc: dict) -> dict:
        return {k: doc.get(k) for k in ("id", "event_id", "application_id", "status", "kind", "format", "title",
                                        "summary", "themes", "municipality", "presenters", "note", "session_id",
                                        "submitted_at", "updated_at", "decided_at")}

    # --- contributions (organiser) --------------------------------------------------------------
    def listing(self, event_id: str, status: str | None, lang: str) -> list[dict]:
        self._with_contributions(event_id, lang)
        found = self._contributions(event_id)
        if status:
            wanted = {s.strip() for s in status.split(",")}
            found = [c for c in found if c["status"] in wanted]
        return [{**self._own_view(c), "municipality_name": _municipality_name(c.get("municipality"))}
                for c in found]

    def listing_csv(self, event_id: str, status: str | None, lang: str) -> bytes:
        rows = self.listing(event_id, status, lang)
        placed = (self.store.result(event_id, "programme") or {}).get("assignment", {})
        header = CSV_HEADERS.get(lang, CSV_HEADERS["nb"])
        out: list[list[object]] = [list(header)]
        for c in rows:
            out.append([c["id"], c["status"], c["submitted_at"], c["kind"], c["format"], c["title"],
                        ", ".join(c["themes"] or []), c["municipality"], c["municipality_name"],
                        "; ".join(f"{p['name']} <{p['email']}>" for p in c["presenters"]),
                        c["application_id"], c["session_id"], placed.get(c["id"]), c["note"], c["summary"]])
        return to_csv(out)

    def decide(self, cid: str, payload: Any, lang: str) -> dict:
        doc = self._contribution(cid, lang)
        event = self._with_contributions(doc["event_id"], lang)
        if not isinstance(payload, dict):
            raise error("bad_request", lang)
        try:
            decision = contrib.validate_decision(payload, session_ids=[s.id for s in event.sessions], lang=lang)
        except contrib.ContributionFieldErrors as exc:
            raise _field_errors(exc, lang)
        if doc["status"] == "withdrawn":
            raise error("state_conflict", lang)
        now = clock.iso(clock.now())
        doc.update(status=decision["status"], note=decision["note"], session_id=decision["session_id"],
                   decided_at=now, updated_at=now)
        self.store.put_item(event.id, CONTRIB, cid, doc)
        self._mail_decision(event, doc)
        return self._own_view(doc)

    def _mail_decision(self, event: Event, doc: dict) -> None:
        app = self.store.application(doc["application_id"])
        lang = (app or {}).get("language") or event.first_language
        session = event.session(doc["session_id"]) if doc["session_id"] else None
        # The same decision sent twice is one mail; a changed decision is news.
        version = _digest(doc["status"], doc["note"], doc["session_id"])
        mails = []
        for person in doc["presenters"]:
            mails.append(EmailRequested(
                key=f"contribution_decision:{doc['id']}:{ids.email_key(person['email'])}:{version}",
                to=person["email"], template="contribution_decision", language=lang,
                participant_id=app["id"] if app and contrib.normalise_email(app["email"]) == contrib.normalise_email(person["email"]) else None,
                context={"name": person["name"], "event_title": local_text(event.title, lang),
                         "organiser": event.organiser, "contribution_title": doc["title"],
                         "status": doc["status"], "note": doc["note"],
                         "session_title": local_text(session.title, lang) if session else None}))
        bus.request_emails(mails, event_id=event.id)

    # --- the programme ------------------------------------------------------------------------
    def place_programme(self, event_id: str, lang: str) -> dict:
        event = self._with_contributions(event_id, lang)
        accepted = [c for c in self._contributions(event_id) if c["status"] == "accepted"]
        sessions = [SlotSession(s.id, s.start, s.end, s.theme, s.slots,
                                None if s.formats is None else tuple(s.formats)) for s in event.sessions]
        items = [Placeable(c["id"], tuple(c["themes"] or ()), tuple(p["email"] for p in c["presenters"]),
                           c.get("session_id"), datetime.fromisoformat(c["submitted_at"]), c.get("format"))
                 for c in accepted]
        previous = (self.store.result(event_id, "programme") or {}).get("assignment") or {}
        programme = place(sessions, items, previous=previous)
        body = programme.to_dict(lang)
        self.store.put_result(event_id, "programme", {
            **programme.to_dict(), "assignment": dict(programme.assignment), "placed_at": clock.iso(clock.now())})
        return body

    def programme_view(self, event_id: str, lang: str) -> dict:
        """The public programme: every session in time order, with the contributions placed in it
        that are still accepted; names, never addresses."""
        event = self._with_contributions(event_id, lang)
        stored = self.store.result(event_id, "programme") or {}
        by_id = {c["id"]: c for c in self._contributions(event_id) if c["status"] == "accepted"}
        placed: dict[str, list[str]] = {s["session_id"]: s["contributions"] for s in stored.get("sessions", [])}
        sessions = []
        # parallel sessions keep the organiser's order (rooms as configured); sorting is stable
        for s in sorted(event.sessions, key=lambda s: (s.start, s.end)):
            items = [by_id[cid] for cid in placed.get(s.id, []) if cid in by_id]
            theme = event.theme(s.theme) if s.theme else None
            sessions.append({
                "session_id": s.id, "title": local_text(s.title, lang), "start": s.start.isoformat(),
                "end": s.end.isoformat(), "location": s.location, "mode": s.mode, "theme": s.theme,
                "theme_title": local_text(theme.title, lang) if theme else None,
                "contributions": [{
                    "id": c["id"], "title": c["title"], "kind": c["kind"], "format": c["format"],
                    "summary": c["summary"], "municipality": c["municipality"],
                    "municipality_name": _municipality_name(c["municipality"]),
                    "presenters": [{"name": p["name"]} for p in c["presenters"]],
                } for c in items]})
        return {"event_id": event.id, "title": local_text(event.title, lang), "published": bool(stored),
                "placed_at": stored.get("placed_at"), "sessions": sessions}

    # --- nominations ---------------------------------------------------------------------------
    def nominate(self, event_id: str, payload: Any, lang: str) -> tuple[int, dict]:
        event = self._with_award(event_id, lang)
        cfg = event.award
        self._window(cfg.nominations_open, cfg.nominations_deadline, "nominations", lang)
        try:
            data = awards.validate_nomination(payload, lang, check_municipality=_check_municipality)
        except awards.AwardFieldErrors as exc:
            raise _field_errors(exc, lang)
        if data["contribution_id"] is not None:
            found = self.store.item(event_id, CONTRIB, data["contribution_id"])
            if found is None or found["status"] == "withdrawn":
                raise error("validation_error", lang, fields={"contribution_id": _t("unknown_contribution", lang)})
            subject = data["contribution_id"]
        else:
            nominee = data["nominee"]
            subject = f"nominee:{nominee['title'].casefold()}:{nominee['municipality'] or ''}"
        key = awards.nomination_key(subject, data["nominator"]["email"])
        nid = ids.new_id("n")
        try:
            self.store.table.put(f"EVENT#{event_id}", f"{NOMKEY}#{key}", {"nomination_id": nid}, if_absent=True)
        except ConditionFailed:
            held = self.store.item(event_id, NOMKEY, key)
            existing = self.store.item(event_id, NOMINATION, held["nomination_id"]) if held else None
            if existing is not None:
                existing.update(reason=data["reason"], nominator=data["nominator"], updated_at=clock.iso(clock.now()))
                self.store.put_item(event_id, NOMINATION, existing["id"], existing)
                return 200, {"id": existing["id"], "status": awards.NOMINATION_STATUS}
            self.store.put_item(event_id, NOMKEY, key, {"nomination_id": nid})
        now = clock.now()
        doc = {"id": nid, "event_id": event_id, "key": key, **data, "status": awards.NOMINATION_STATUS,
               "language": lang, "submitted_at": clock.iso(now), "updated_at": clock.iso(now)}
        self.store.put_item(event_id, NOMINATION, nid, doc)
        self.store.put_ref(NOMINATION, nid, event_id)
        bus.request_email(EmailRequested(
            key=f"nomination_received:{nid}", to=data["nominator"]["email"], template="nomination_received",
            language=lang, context={"name": data["nominator"]["name"], "event_title": local_text(event.title, lang),
                                    "organiser": event.organiser, "award_title": local_text(cfg.title, lang),
                                    "nominee_title": self._nominee(event_id, doc)["title"]}), event_id=event_id)
        return 201, {"id": nid, "status": awards.NOMINATION_STATUS}

    def _nominations(self, event_id: str) -> list[dict]:
        return sorted(self.store.items(event_id, NOMINATION), key=lambda n: (n["submitted_at"], n["id"]))

    def _nominee(self, event_id: str, nomination: dict) -> dict:
        """What was nominated, as the jury and the public see it (no addresses)."""
        if nomination.get("contribution_id"):
            c = self.store.item(event_id, CONTRIB, nomination["contribution_id"]) or {}
            return {"title": c.get("title", ""), "municipality": c.get("municipality"),
                    "summary": c.get("summary"), "contribution_id": nomination["contribution_id"]}
        nominee = nomination["nominee"]
        return {"title": nominee["title"], "municipality": nominee["municipality"],
                "summary": nominee.get("description"), "contribution_id": None}

    def nominations(self, event_id: str, lang: str) -> list[dict]:
        self._with_award(event_id, lang)
        out = []
        for n in self._nominations(event_id):
            nominee = self._nominee(event_id, n)
            out.append({"id": n["id"], "status": n["status"], "contribution_id": n["contribution_id"],
                        "title": nominee["title"], "municipality": nominee["municipality"],
                        "nominator": n["nominator"], "reason": n["reason"], "submitted_at": n["submitted_at"]})
        return out

    # --- the jury -------------------------------------------------------------------------------
    def invite_jury(self, event_id: str, lang: str) -> dict:
        event = self._with_award(event_id, lang)
        cfg = event.award
        if contrib.window_state(None, cfg.nominations_deadline, clock.now()) != "closed":
            raise error("state_conflict", lang, _t("jury_too_early", lang))
        # Jurors are asked to have scored by the time the gathering starts.
        starts = [s.start for s in event.sessions]
        deadline = min(starts) if starts else cfg.nominations_deadline + timedelta(days=14)
        mails, jurors = [], []
        for member in cfg.jury:
            juror_key = ids.email_key(member.email)
            held = self.store.item(event_id, JUROR, juror_key)
            invited = held is None
            if invited:
                token = ids.new_token()
                held = {"email": member.email, "name": member.name, "token_hash": ids.hash_token(token),
                        "invited_at": clock.iso(clock.now())}
                self.store.put_item(event_id, JUROR, juror_key, held)
                lang_j = event.first_language
                mails.append(EmailRequested(
                    key=f"jury_invitation:{event_id}:{juror_key}:{held['token_hash'][:16]}", to=member.email,
                    template="jury_invitation", language=lang_j,
                    context={"name": member.name, "event_title": local_text(event.title, lang_j),
                             "organiser": event.organiser, "award_title": local_text(cfg.title, lang_j),
                             "deadline": deadline.isoformat(),
                             "ballot_url": f"{settings.public_url()}/registration/events/{event_id}/award/ballot"
                                           f"?token={token}"}))
            jurors.append({"name": member.name, "email": member.email, "invited_at": held["invited_at"],
                           "newly_invited": invited})
        bus.request_emails(mails, event_id=event_id)
        return {"invited": len(mails), "jurors": jurors}

    def _juror(self, event: Event, token: str | None, lang: str) -> dict:
        """The jury member whose ballot `token` opens; 404 for anything else."""
        found = None
        members = {contrib.normalise_email(m.email) for m in event.award.jury}
        for held in self.store.items(event.id, JUROR):
            # every stored hash is compared, so the time taken says nothing about which matched
            if ids.token_matches(token, held.get("token_hash")) and found is None:
                found = held
        if found is None or contrib.normalise_email(found["email"]) not in members:
            raise error("not_found", lang)
        return found

    def ballot(self, event_id: str, token: str | None, lang: str) -> dict:
        event = self._with_award(event_id, lang)
        juror = self._juror(event, token, lang)
        cfg = event.award
        juror_key = ids.email_key(juror["email"])
        nominations = []
        for n in self._nominations(event_id):
            nominee = self._nominee(event_id, n)
            sheet = self.store.item(event_id, SCORE, f"{n['id']}#{juror_key}")
            nominations.append({
                "id": n["id"], "title": nominee["title"], "municipality": nominee["municipality"],
                "municipality_name": _municipality_name(nominee["municipality"]), "reason": n["reason"],
                "summary": nominee["summary"], "contribution_id": nominee["contribution_id"],
                "my_scores": sheet["scores"] if sheet else None, "my_comment": sheet.get("comment") if sheet else None})
        return {"event_id": event_id, "award": {"title": local_text(cfg.title, lang)},
                "juror": {"name": juror["name"]}, "published": self.store.result(event_id, "award_winner") is not None,
                "criteria": [{"id": c.id, "title": local_text(c.title, lang), "weight": c.weight} for c in cfg.criteria],
                "nominations": nominations}

    def score(self, nid: str, token: str | None, payload: Any, lang: str) -> dict:
        event_id = self.store.ref(NOMINATION, nid)
        nomination = self.store.item(event_id, NOMINATION, nid) if event_id else None
        if nomination is None:
            raise error("not_found", lang)
        event = self._with_award(event_id, lang)
        juror = self._juror(event, token, lang)
        if self.store.result(event_id, "award_winner") is not None:
            raise error("state_conflict", lang, _t("winner_already_published", lang))
        criteria = [awards.Criterion(c.id, c.weight) for c in event.award.criteria]
        try:
            sheet = awards.validate_scores(payload, criteria, lang)
        except awards.AwardFieldErrors as exc:
            raise _field_errors(exc, lang)
        doc = {"nomination_id": nid, "juror_email": juror["email"], **sheet, "at": clock.iso(clock.now())}
        self.store.put_item(event_id, SCORE, f"{nid}#{ids.email_key(juror['email'])}", doc)
        return {"nomination_id": nid, "scores": sheet["scores"], "comment": sheet["comment"], "at": doc["at"]}

    # --- results and the winner ------------------------------------------------------------------
    def results(self, event_id: str, lang: str) -> dict:
        event = self._with_award(event_id, lang)
        nominations = [(n["id"], self._nominee(event_id, n)["title"]) for n in self._nominations(event_id)]
        sheets = [awards.ScoreSheet(s["juror_email"], s["nomination_id"], s["scores"])
                  for s in sorted(self.store.items(event_id, SCORE), key=lambda s: s["at"])]
        criteria = [awards.Criterion(c.id, c.weight) for c in event.award.criteria]
        out = awards.results(nominations, sheets, criteria, [m.email for m in event.award.jury])
        winner = self.store.result(event_id, "award_winner")
        return {**out, "winner": winner["winner"] if winner else None}

    def publish_winner(self, event_id: str, payload: Any, lang: str) -> dict:
        event = self._with_award(event_id, lang)
        cfg = event.award
        nid = payload.get("nomination_id") if isinstance(payload, dict) else None
        if not isinstance(payload, dict):
            raise error("bad_request", lang)
        nomination = self.store.item(event_id, NOMINATION, nid) if isinstance(nid, str) and nid else None
        if nomination is None:
            raise error("validation_error", lang, fields={"nomination_id": _t("unknown_nomination", lang)})
        if contrib.window_state(None, cfg.nominations_deadline, clock.now()) != "closed":
            raise error("state_conflict", lang)
        published = self.store.result(event_id, "award_winner")
        if published is not None:
            if published["winner"]["nomination_id"] != nid:
                raise error("state_conflict", lang, _t("winner_already_published", lang))
            return published
        nominee = self._nominee(event_id, nomination)
        winner = {"nomination_id": nid, "title": nominee["title"], "municipality": nominee["municipality"],
                  "municipality_name": _municipality_name(nominee["municipality"])}
        doc = {"winner": winner, "published_at": clock.iso(clock.now())}
        self.store.put_result(event_id, "award_winner", doc)
        self._mail_result(event, nomination, winner)
        return doc

    def _mail_result(self, event: Event, won: dict, winner: dict) -> None:
        cfg = event.award
        mails = []

        def common(lang: str) -> dict:
            return {"event_title": local_text(event.title, lang), "organiser": event.organiser,
                    "award_title": local_text(cfg.title, lang), "winner_title": winner["title"],
                    "winner_municipality_name": winner["municipality_name"]}

        if won.get("contribution_id"):
            c = self.store.item(event.id, CONTRIB, won["contribution_id"]) or {}
            app = self.store.application(c.get("application_id", "")) if c else None
            lang = (app or {}).get("language") or event.first_language
            for person in c.get("presenters", []):
                mails.append(EmailRequested(
                    key=f"award_winner:{event.id}:{ids.email_key(person['email'])}", to=person["email"],
                    template="award_winner", language=lang, context={"name": person["name"], **common(lang)}))
        for n in self._nominations(event.id):
            lang = n.get("language") or event.first_language
            mails.append(EmailRequested(
                key=f"award_result_nominator:{event.id}:{n['id']}", to=n["nominator"]["email"],
                template="award_result_nominator", language=lang,
                context={"name": n["nominator"]["name"], "nominee_title": self._nominee(event.id, n)["title"],
                         "won": n["id"] == won["id"], **common(lang)}))
        bus.request_emails(mails, event_id=event.id)

    def public_award(self, event_id: str, lang: str) -> dict:
        event = self._with_award(event_id, lang)
        cfg = event.award
        published = self.store.result(event_id, "award_winner")
        return {"event_id": event_id, "title": dict(cfg.title), "nominations_open": cfg.nominations_open.isoformat(),
                "nominations_deadline": cfg.nominations_deadline.isoformat(),
                "criteria": [{"id": c.id, "title": dict(c.title), "weight": c.weight} for c in cfg.criteria],
                "published": published is not None,
                "winner": published["winner"] if published else None,
                "published_at": published["published_at"] if published else None}

    # --- erasure -----------------------------------------------------------------------------
    def erase(self, event: Any, app: dict) -> None:
        """An erased person's contributions are withdrawn; they leave every presenter list and
        every nomination they made is deleted, with its score sheets."""
        event_id = app["event_id"]
        email = contrib.normalise_email(app["email"])
        now = clock.iso(clock.now())
        touched = 0
        for c in self.store.items(event_id, CONTRIB):
            kept = [p for p in c["presenters"] if contrib.normalise_email(p["email"]) != email]
            own = c["application_id"] == app["id"]
            if not own and len(kept) == len(c["presenters"]):
                continue
            c["presenters"] = kept
            if own:
                c["status"] = "withdrawn"
                c["erased"] = True
            c["updated_at"] = now
            self.store.put_item(event_id, CONTRIB, c["id"], c)
            touched += 1
        sheets = self.store.items(event_id, SCORE)
        for n in self.store.items(event_id, NOMINATION):
            if contrib.normalise_email(n["nominator"]["email"]) != email:
                continue
            for s in sheets:
                if s["nomination_id"] == n["id"]:
                    self.store.delete_item(event_id, SCORE, f"{n['id']}#{ids.email_key(s['juror_email'])}")
            self.store.delete_item(event_id, NOMKEY, n["key"])
            self.store.delete_item(event_id, NOMINATION, n["id"])
            touched += 1
        if touched:
            # only how many records an erasure changed is kept, never whose
            self.store.count(event_id, "erased:contributions_and_nominations", touched)


CSV_HEADERS = {
    "nb": ("id", "status", "innsendt", "type", "format", "tittel", "temaer", "kommunenummer", "kommune",
           "innledere", "påmelding", "fast økt", "plassert i økt", "merknad", "sammendrag"),
    "nn": ("id", "status", "sendt inn", "type", "format", "tittel", "tema", "kommunenummer", "kommune",
           "innleiarar", "påmelding", "fast økt", "plassert i økt", "merknad", "samandrag"),
    "en": ("id", "status", "submitted", "kind", "format", "title", "themes", "municipality number", "municipality",
           "presenters", "application", "fixed session", "placed in session", "note", "summary"),
}


def _on_erase(event: Any, app: dict) -> None:
    GronnPraksis().erase(event, app)


if _on_erase not in hooks.ON_ERASE:
    hooks.ON_ERASE.append(_on_erase)


# --- the public programme page ------------------------------------------------------------------
PAGE = {
    "nb": {"heading": "Program", "kind": "Type", "format": "Form", "by": "Ved", "empty": "Ingen bidrag ennå.",
           "not_yet": "Programmet er ikke satt sammen ennå.", "theme": "Tema", "place": "Sted",
           "kinds": {"praksis": "Praksis", "ide": "Idé"},
           "formats": {"innlegg": "Innlegg", "stand": "Stand", "verksted": "Verksted"},
           "days": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
           "months": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
                      "oktober", "november", "desember"), "languages": "Språk"},
    "nn": {"heading": "Program", "kind": "Type", "format": "Form", "by": "Ved", "empty": "Ingen bidrag enno.",
           "not_yet": "Programmet er ikkje sett saman enno.", "theme": "Tema", "place": "Stad",
           "kinds": {"praksis": "Praksis", "ide": "Idé"},
           "formats": {"innlegg": "Innlegg", "stand": "Stand", "verksted": "Verkstad"},
           "days": ("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag"),
           "months": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
                      "oktober", "november", "desember"), "languages": "Språk"},
    "en": {"heading": "Programme", "kind": "Kind", "format": "Format", "by": "By", "empty": "No contributions yet.",
           "not_yet": "The programme has not been put together yet.", "theme": "Theme", "place": "Room",
           "kinds": {"praksis": "Practice", "ide": "Idea"},
           "formats": {"innlegg": "Talk", "stand": "Stand", "verksted": "Workshop"},
           "days": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
           "months": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"), "languages": "Language"},
}
TEMPLATES = Path(__file__).parent / "templates"
LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}


def _day(instant: datetime, lang: str) -> str:
    t = PAGE[lang]
    local = instant.astimezone(clock.OSLO)
    if lang == "en":
        return f"{t['days'][local.weekday()]} {local.day} {t['months'][local.month - 1]} {local.year}"
    return f"{t['days'][local.weekday()]} {local.day}. {t['months'][local.month - 1]} {local.year}"


def _time(instant: datetime, lang: str) -> str:
    local = instant.astimezone(clock.OSLO)
    return local.strftime("%H:%M" if lang == "en" else "%H.%M")


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def programme_page(view: dict, event: Event, lang: str) -> str:
    t = PAGE[lang]
    days: list[dict] = []
    for s in view["sessions"]:
        start, end = datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"])
        label = _day(start, lang)
        if not days or days[-1]["label"] != label:
            days.append({"label": label, "sessions": []})
        days[-1]["sessions"].append({**s, "time": f"{_time(start, lang)}–{_time(end, lang)}"})
    return _env().get_template("programme.html").render(
        lang=lang, title=view["title"], t=t, days=days, published=view["published"],
        description=local_text(event.description, lang) if event.description else None,
        other_languages=[(code, LANGUAGE_NAMES[code]) for code in i18n.LANGUAGES if code != lang])
