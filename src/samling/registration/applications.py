"""Registration's use cases: what happens when an applicant or organiser acts.

Rules live in ``rules``, ``selection`` and friends; persistence in ``store``; this module ties
them together and says what is published and mailed. It knows nothing of HTTP frameworks.
"""
from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from samling import registry
from samling.contracts import (ApplicationSubmitted, EmailRequested, EventConfigured, InviteesAdded,
                               Participant, ParticipantConfirmed, ParticipantStatusChanged,
                               ParticipantWithdrawn, PersonErased)
from samling.platform import bus, clock, ids, settings
from samling.platform.dynamo import ConditionFailed
from samling.platform.errors import ApiError
from samling.registration import messages, rules
from samling.registration.service_texts import text as _t
from samling.registration.model import ACTIVE_STATUSES, LEADER_ROLES, Event
from samling.registration.store import RegistrationStore

log = logging.getLogger("samling.registration")

PERSONAL_FIELDS = ("name", "email", "phone", "organisation", "role", "motivation", "dietary",
                   "interests", "accommodation")
HOLDS_SEAT = {"offered", "confirmed"}
RESUBMIT_WAITS = 40


def error(code: str, lang: str, message: str | None = None, fields: dict | None = None) -> ApiError:
    return ApiError(code, message or messages.text(f"error.{code}", lang), fields)


def public(app: dict) -> dict:
    """An application as its owner and organisers see it (never the token hash)."""
    return {k: v for k, v in app.items() if k not in ("token_hash", "email_hash", "version", "link_token")}


def participant(app: dict) -> Participant:
    return Participant(
        id=app["id"], name=app["name"], email=app["email"], language=app.get("language", "nb"),
        status=app["status"], organisation_type=app.get("organisation_type"),
        municipality=app.get("municipality"), county=app.get("county"),
        organisation=app.get("organisation"), role=app.get("role"), sector=app.get("sector"),
        experience=app.get("experience"), interests=app.get("interests") or [],
        theme=app.get("theme"), sessions=app.get("sessions"),
        is_leader=app.get("role") in LEADER_ROLES, offer_expires_at=app.get("offer_expires_at"),
        token_hash=app.get("token_hash"))


class Registration:
    def __init__(self, store: RegistrationStore | None = None) -> None:
        self.store = store or RegistrationStore()
        self._held_mail: list[tuple[str, EmailRequested]] | None = None

    @contextmanager
    def mail_in_batches(self) -> Iterator[None]:
        """Send the mail requests made inside in batches of ten (a selection mails everyone)."""
        self._held_mail = []
        try:
            yield
        finally:
            held, self._held_mail = self._held_mail, None
            by_event: dict[str, list[EmailRequested]] = {}
            for event_id, mail in held:
                by_event.setdefault(event_id, []).append(mail)
            for event_id, mails in by_event.items():
                bus.request_emails(mails, event_id=event_id)

    # --- events ------------------------------------------------------------------------------
    def event(self, event_id: str, lang: str = "nb") -> Event:
        doc = self.store.event(event_id)
        if doc is None:
            raise error("not_found", lang)
        return Event.model_validate(doc)

    def configure(self, event_id: str, payload: Any, lang: str) -> tuple[dict, bool]:
        if isinstance(payload, dict) and "id" not in payload:
            payload = {**payload, "id": event_id}
        try:
            event = rules.parse_event(payload)
        except rules.MalformedBody as exc:
            raise error("bad_request", lang, exc.message)
        except rules.FieldErrors as exc:
            raise error("validation_error", lang, fields=exc.fields)
        if event.id != event_id:
            raise error("validation_error", lang, fields={"id": "must equal the event id in the path"})
        doc = event.model_dump(mode="json")
        created = self.store.put_event(doc)
        bus.publish(EventConfigured(event=doc), event_id=event_id)
        return event.public_view(), created

    def events(self) -> list[dict]:
        return [Event.model_validate(d).public_view() for d in self.store.events()]

    # --- applying ------------------------------------------------------------------------------
    def submit(self, event_id: str, payload: Any, lang: str) -> tuple[int, dict]:
        event = self.event(event_id, lang)
        if isinstance(payload, dict) and payload.get("language") in event.languages + ["nb", "nn", "en"]:
            lang = payload["language"]
        state = rules.registration_state(event, clock.now())
        if state != "open":
            raise error(f"registration_{state}", lang)
        answers = self._validate(payload, event, lang)
        problem = rules.eligibility_problem(event, answers, lang)
        if problem:
            raise error("not_eligible", lang, problem)

        new_id = ids.new_id("a")
        email_hash = ids.email_key(answers.email)
        holder = self.store.email_holder(event_id, email_hash)
        if holder is None:
            # Checked before the address is claimed, so a refusal leaves no claim behind.
            self._check_municipality_limit(event, answers, None, lang)
            holder = self.store.claim_email(event_id, email_hash, new_id)
        if holder is not None:
            return 200, self._resubmit(event, holder, answers, lang)
        token = self._link_token(new_id)
        now = clock.now()
        app = {"id": new_id, "event_id": event_id, **answers.model_dump(mode="json"),
               "status": "submitted", "token_hash": ids.hash_token(token), "email_hash": email_hash,
               # kept so that later mails (offers, promotions, confirmations) carry a working link
               "submitted_at": clock.iso(now), "seq": now.timestamp(), "updated_at": clock.iso(now),
               "review": None, "history": [{"at": clock.iso(now), "status": "submitted"}]}
        if event.registration.mode == "first_come":
            status = "confirmed" if self.store.take_seat(event_id, event.registration.capacity) else "waitlisted"
            self._set_status(app, status, now)
        self.store.put_application(app, version=0)
        self._announce_new(event, app, token)
        return 201, {"id": new_id, "status": app["status"], "token": token}

    def _validate(self, payload: Any, event: Event, lang: str, partial: bool = False) -> Any:
        try:
            return rules.validate_application(payload, event, lang, partial=partial)
        except rules.MalformedBody as exc:
            raise error("bad_request", lang, exc.message)
        except rules.FieldErrors as exc:
            theme_only = set(exc.fields) == {"theme"}
            if theme_only and not partial and exc.fields["theme"] == messages.text("theme.required", lang):
                # A themed event is open only to those who take part in a theme: the answer is
                # about who may come, not about a mistyped field.
                raise error("not_eligible", lang, exc.fields["theme"])
            raise error("validation_error", lang, fields=exc.fields)

    def _check_municipality_limit(self, event: Event, answers: Any, own_id: str | None, lang: str) -> None:
        if event.registration.max_per_municipality is None or not answers.municipality:
            return
        active = sum(1 for a in self.store.applications(event.id)
                     if a["id"] != own_id and a.get("municipality") == answers.municipality
                     and a["status"] in ACTIVE_STATUSES)
        problem = rules.max_per_municipality_problem(event, answers.municipality, active, lang)
        if problem:
            raise error("not_eligible", lang, problem)

    def _resubmit(self, event: Event, app_id: str, answers: Any, lang: str) -> dict:
        self._check_municipality_limit(event, answers, app_id, lang)
        for _ in range(RESUBMIT_WAITS):
            # The same email may be being submitted at this very moment (its record is on the
            # way) or updated by another resubmission (the version moved): read and try again.
            app, version = self.store.application_versioned(app_id)
            if app is None:
                time.sleep(0.05)
                continue
            app.update(answers.model_dump(mode="json"))
            app["updated_at"] = clock.iso(clock.now())
            try:
                self.store.put_application(app, version=version)
                break
            except ConditionFailed:
                time.sleep(0.01)
        else:
            raise error("state_conflict", lang)
        self._mail(event, app, "application_updated", {"manage_url": self._manage_url(app, None),
                                                       "deadline": event.registration.deadline.isoformat()},
                   key=f"application_updated:{app['id']}:{app['updated_at']}")
        return {"id": app["id"], "status": app["status"]}

    def _announce_new(self, event: Event, app: dict, token: str) -> None:
        manage_url = self._manage_url(app, token)
        bus.publish(ApplicationSubmitted(application_id=app["id"], name=app["name"], email=app["email"],
                                         language=app["language"], status=app["status"],
                                         manage_url=manage_url, participant=participant(app)),
                    event_id=event.id)
        self._mail(event, app, "application_received",
                   {"manage_url": manage_url, "deadline": event.registration.deadline.isoformat(),
                    "status": app["status"]}, key=f"application_received:{app['id']}")
        if app["status"] == "confirmed":
            self._confirmed(event, app)

    # --- the applicant's own routes ---------------------------------------------------------------
    def own(self, app_id: str, token: str | None, lang: str) -> tuple[dict, int]:
        app, version = self.store.application_versioned(app_id)
        if app is None or not ids.token_matches(token, app.get("token_hash")):
            raise error("not_found", lang)
        return app, version

    def view(self, app_id: str, token: str | None, lang: str) -> dict:
        app, _ = self.own(app_id, token, lang)
        return public(app)

    def edit(self, app_id: str, token: str | None, payload: Any, lang: str) -> dict:
        app, version = self.own(app_id, token, lang)
        lang = app.get("language", lang)
        event = self.event(app["event_id"], lang)
        if rules.registration_state(event, clock.now()) == "closed":
            raise error("registration_closed", lang)
        if app["status"] not in ACTIVE_STATUSES:
            raise error("state_conflict", lang)
        changes = self._validate(payload, event, lang, partial=True)
        if not changes:
            raise error("validation_error", lang, fields={"body": _t("edit.nothing", lang)})
        merged = {k: v for k, v in app.items() if k in rules.APPLICATION_FIELDS}
        merged.update(changes)
        answers = self._validate(merged, event, lang)
        problem = rules.eligibility_problem(event, answers, lang)
        if problem:
            raise error("not_eligible", lang, problem)
        if answers.email != app["email"]:
            new_hash = ids.email_key(answers.email)
            if self.store.claim_email(event.id, new_hash, app_id) not in (None, app_id):
                raise error("validation_error", lang, fields={"email": _t("email.taken", lang)})
            self.store.release_email(event.id, app["email_hash"])
            app["email_hash"] = new_hash
        self._check_municipality_limit(event, answers, app_id, lang)
        app.update(answers.model_dump(mode="json"))
        app["updated_at"] = clock.iso(clock.now())
        self._save(app, version, lang)
        return public(app)

    def withdraw(self, app_id: str, token: str | None, lang: str) -> dict:
        app, version = self.own(app_id, token, lang)
        if app["status"] in ("withdrawn", "declined", "not_selected", "expired"):
            raise error("state_conflict", app.get("language", lang))
        event = self.event(app["event_id"], lang)
        held = app["status"] in HOLDS_SEAT
        self._set_status(app, "withdrawn", clock.now())
        self._save(app, version, lang)
        bus.publish(ParticipantWithdrawn(participant_id=app_id), event_id=event.id)
        self._mail(event, app, "withdrawn", {}, key=f"withdrawn:{app_id}")
        if held:
            self._release_and_promote(event)
        return public(app)

    def answer_offer(self, app_id: str, token: str | None, payload: Any, lang: str) -> dict:
        app, version = self.own(app_id, token, lang)
        lang = app.get("language", lang)
        if not isinstance(payload, dict) or not isinstance(payload.get("accept"), bool):
            raise error("validation_error", lang, fields={"accept": _t("offer.accept_required", lang)})
        event = self.event(app["event_id"], lang)
        if app["status"] == "expired":
            raise error("offer_expired", lang)
        if app["status"] != "offered":
            raise error("state_conflict", lang)
        now = clock.now()
        if self._offer_expired(app, now):
            self._expire(event, app, version)
            raise error("offer_expired", lang)
        if payload["accept"]:
            self._set_status(app, "confirmed", now)
            self._save(app, version, lang)
            self._confirmed(event, app)
        else:
            self._set_status(app, "declined", now)
            self._save(app, version, lang)
            bus.publish(ParticipantStatusChanged(participant=participant(app), previous_status="offered"),
                        event_id=event.id)
            self._release_and_promote(event)
        return public(app)

    def erase(self, app_id: str, token: str | None, lang: str) -> dict:
        app, _ = self.own(app_id, token, lang)
        event = self.event(app["event_id"], lang)
        held = app["status"] in HOLDS_SEAT
        self.store.release_email(event.id, app["email_hash"])
        self.store.delete_application(app)
        self.store.count(event.id, f"erased:{app['status']}")
        bus.publish(PersonErased(participant_id=app_id, email_hash=app["email_hash"]), event_id=event.id)
        if held:
            self._release_and_promote(event)
        self._after_erasure(event, app)
        return {"id": app_id, "erased": True}

    def _after_erasure(self, event: Event, app: dict) -> None:
        """Hook for parts of registration that hold more of the person (contributions …)."""
        from samling.registration import hooks

        for hook in hooks.ON_ERASE:
            hook(event, app)

    # --- organisers ---------------------------------------------------------------------------
    def listing(self, event_id: str, status: str | None, lang: str) -> list[dict]:
        self.event(event_id, lang)
        apps = self.store.applications(event_id)
        if status:
            wanted = set(status.split(","))
            apps = [a for a in apps if a["status"] in wanted]
        return [public(a) for a in apps]

    def review(self, app_id: str, payload: Any, lang: str) -> dict:
        app, version = self.store.application_versioned(app_id)
        if app is None:
            raise error("not_found", lang)
        fields = {}
        if not isinstance(payload, dict):
            raise error("bad_request", lang)
        score = payload.get("score")
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            fields["score"] = _t("review.score", lang)
        note = payload.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > 5000
                                 or any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in note)):
            fields["note"] = _t("review.note", lang)
        if fields:
            raise error("validation_error", lang, fields=fields)
        app["review"] = {"score": score, "note": note, "at": clock.iso(clock.now())}
        self._save(app, version, lang)
        return public(app)

    def invite(self, event_id: str, payload: Any, lang: str) -> dict:
        event = self.event(event_id, lang)
        invitees = payload.get("invitees") if isinstance(payload, dict) else None
        if not isinstance(invitees, list) or not invitees:
            raise error("validation_error", lang, fields={"invitees": _t("invitees.required", lang)})
        fields, clean = {}, []
        for i, invitee in enumerate(invitees):
            if not isinstance(invitee, dict):
                fields[f"invitees.{i}"] = _t("invitees.required", lang)
                continue
            email = invitee.get("email")
            if not isinstance(email, str) or not rules._EMAIL.match(email.strip()):
                fields[f"invitees.{i}.email"] = messages.text("email.invalid", lang)
                continue
            number = invitee.get("municipality")
            if number is not None:
                try:
                    registry.check_municipality(number if isinstance(number, str) else "", lang)
                except registry.UnknownMunicipality as exc:
                    fields[f"invitees.{i}.municipality"] = exc.message
                    continue
            clean.append({"email": email.strip().lower(), "municipality": number,
                          "language": invitee.get("language") if invitee.get("language") in event.languages
                          else event.first_language})
        if fields:
            raise error("validation_error", lang, fields=fields)
        for invitee in clean:
            self.store.put_item(event_id, "INVITEE", invitee["email"], invitee)
        bus.publish(InviteesAdded(invitees=clean), event_id=event_id)
        mails = []
        for invitee in clean:
            found = registry.municipality(invitee["municipality"]) if invitee["municipality"] else None
            mails.append(EmailRequested(
                key=f"invitation:{event_id}:{ids.email_key(invitee['email'])}", to=invitee["email"],
                template="invitation", language=invitee["language"],
                context={"event_title": self._title(event, invitee["language"]), "organiser": event.organiser,
                         "form_url": self.form_url(event_id, invitee["language"]),
                         "deadline": event.registration.deadline.isoformat(),
                         "municipality_name": found.name if found else None}))
        bus.request_emails(mails, event_id=event_id)
        return {"invited": len(clean)}

    # --- statuses, seats and the waiting list ---------------------------------------------------
    def _set_status(self, app: dict, status: str, now: datetime) -> None:
        app["status"] = status
        app["updated_at"] = clock.iso(now)
        app.setdefault("history", []).append({"at": clock.iso(now), "status": status})
        if status == "confirmed":
            app["confirmed_at"] = clock.iso(now)
            app["confirmed_seq"] = now.timestamp()

    def _save(self, app: dict, version: int, lang: str) -> None:
        try:
            self.store.put_application(app, version=version)
        except ConditionFailed:
            raise error("state_conflict", lang)

    def _offer_expired(self, app: dict, now: datetime) -> bool:
        expires = app.get("offer_expires_at")
        return bool(expires) and now.replace(microsecond=0) > datetime.fromisoformat(expires)

    def _expire(self, event: Event, app: dict, version: int) -> None:
        self._set_status(app, "expired", clock.now())
        try:
            self.store.put_application(app, version=version)
        except ConditionFailed:
            return
        bus.publish(ParticipantStatusChanged(participant=participant(app), previous_status="offered"),
                    event_id=event.id)
        self._mail(event, app, "offer_expired", {}, key=f"offer_expired:{app['id']}")
        self._release_and_promote(event)

    def offer(self, event: Event, app: dict, version: int | None, template: str = "offer") -> None:
        now = clock.now()
        previous = app["status"]
        self._set_status(app, "offered", now)
        app["offered_at"] = clock.iso(now)
        app["offer_expires_at"] = clock.iso(rules.offer_deadline(event, now))
        self.store.put_application(app, version=version)
        bus.publish(ParticipantStatusChanged(participant=participant(app), previous_status=previous),
                    event_id=event.id)
        self._mail(event, app, template, {"offer_url": self._manage_url(app, None),
                                          "respond_by": app["offer_expires_at"]},
                   key=f"{template}:{app['id']}:{app['offered_at']}")

    def _confirmed(self, event: Event, app: dict) -> None:
        bus.publish(ParticipantConfirmed(participant=participant(app)), event_id=event.id)
        lang = app.get("language", event.first_language)
        open_ids = set(rules.sessions_open_to(event, app.get("role")))
        chosen = set(app.get("sessions") or open_ids)
        sessions = [s for s in event.sessions if s.id in open_ids and s.id in chosen]
        venue = event.venue.name if event.venue else None
        listed = [{"id": s.id, "title": rules._local(s.title, lang), "start": s.start.isoformat(),
                   "end": s.end.isoformat(), "join_url": s.join_url,
                   "venue": venue if s.mode == "physical" else None} for s in sessions]
        self._mail(event, app, "confirmed",
                   {"sessions": listed, "manage_url": self._manage_url(app, None),
                    "calendar": {"event_id": event.id, "participant_id": app["id"],
                                 "event_title": self._title(event, lang), "organiser": event.organiser,
                                 "sessions": [{**s, "location": s["venue"]} for s in listed]}},
                   key=f"confirmed:{app['id']}:{app.get('confirmed_at')}")

    def _release_and_promote(self, event: Event) -> None:
        """A held place came free: give it to the next person on the waiting list."""
        self.store.free_seat(event.id)
        apps = self.store.applications(event.id)
        waiting = [a for a in apps if a["status"] == "waitlisted"]
        if not waiting:
            return
        if event.registration.mode == "first_come":
            chosen = waiting[0]
        else:
            from samling.registration import selecting

            chosen = selecting.next_waiting(event, apps)
            if chosen is None:
                return
        if not self.store.take_seat(event.id, event.registration.capacity):
            return
        app, version = self.store.application_versioned(chosen["id"])
        if app is None or app["status"] != "waitlisted":
            self.store.free_seat(event.id)
            return
        if event.registration.mode == "first_come":
            self._set_status(app, "confirmed", clock.now())
            self.store.put_application(app, version=version)
            self._confirmed(event, app)
        else:
            self.offer(event, app, version, template="promoted_from_waitlist")

    def expire_offers(self) -> dict:
        """The scheduled sweep: offers whose answer time has passed give their place on."""
        now = clock.now()
        expired = 0
        for doc in self.store.events():
            event = Event.model_validate(doc)
            for app in self.store.applications(event.id):
                if app["status"] == "offered" and self._offer_expired(app, now):
                    fresh, version = self.store.application_versioned(app["id"])
                    if fresh and fresh["status"] == "offered":
                        self._expire(event, fresh, version)
                        expired += 1
        return {"expired": expired}

    # --- mail ----------------------------------------------------------------------------------
    def _title(self, event: Event, lang: str) -> str:
        return rules._local(event.title, lang)

    def form_url(self, event_id: str, lang: str) -> str:
        return f"{settings.public_url()}/registration/events/{event_id}/form?lang={lang}"

    @staticmethod
    def _link_token(app_id: str) -> str:
        """The applicant's token: derived, so later mails can carry it; only its hash is kept."""
        from samling.platform.secrets import link_secret

        return ids.derived_token(link_secret(), "application", app_id)

    def _manage_url(self, app: dict, token: str | None) -> str:
        base = f"{settings.public_url()}/registration/applications/{app['id']}/manage"
        token = token or self._link_token(app["id"])
        return f"{base}?token={token}" if token else base

    def _mail(self, event: Event, app: dict, template: str, context: dict, *, key: str) -> None:
        lang = app.get("language") or event.first_language
        mail = EmailRequested(
            key=key, to=app["email"], template=template, language=lang, participant_id=app["id"],
            context={"name": app["name"], "event_title": self._title(event, lang),
                     "organiser": event.organiser, **context})
        if self._held_mail is not None:
            self._held_mail.append((event.id, mail))
        else:
            bus.request_email(mail, event_id=event.id)
