"""Sending one requested mail exactly once.

A mail's key moves through three ledger states:

- ``claimed``: an attempt is under way. A failure before SES accepted the mail gives the claim
  back, so the queue's retry sends it; a redelivery that finds a fresh claim fails and is
  retried later rather than acknowledged, so a mail is never dropped because another attempt
  died holding the claim.
- ``sent``: SES accepted it. This is written the moment SES answers and before any other
  bookkeeping, so a crash while recording the outbox or acknowledging the message cannot lead
  to a second copy: the redelivery finds ``sent``, completes the records and sends nothing.
- ``done``: the outbox holds the mail.

The one window left is between SES answering and the ``sent`` write: if that write fails the
claim stays ``claimed`` and, once it is older than the ledger's in-progress limit, a retry may
send again. SES offers no idempotency token, so at-least-once is the honest best there.

SES throttling is retried with backoff; if it persists the error goes back to the queue so the
mail is tried again later rather than lost.
"""
from __future__ import annotations

import base64
import logging
import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from samling.contracts import EmailRequested
from samling.notifications.projection import ERASED_PK
from samling.platform import aws, clock, settings
from samling.platform.consumer import Ledger
from samling.platform.dynamo import Table

log = logging.getLogger("samling.mailer")
SERVICE = "notifications"
THROTTLE_CODES = {"Throttling", "ThrottlingException", "TooManyRequestsException"}


class DeliveryInProgress(Exception):
    """Another attempt holds this mail's claim; try again later instead of dropping it."""


def _ses_send(raw: bytes, to: str) -> str:
    out = aws.client("ses").send_raw_email(Source=settings.sender(), Destinations=[to],
                                           RawMessage={"Data": raw})
    return out["MessageId"]


def is_throttling(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return False
    error = exc.response.get("Error", {})
    return error.get("Code", "") in THROTTLE_CODES or "rate exceeded" in error.get("Message", "").lower()


def send_with_backoff(send: Callable[[], str], *, attempts: int = 6, base_delay: float = 0.2,
                      sleep: Callable[[float], None] = time.sleep) -> str:
    """Call ``send``; on throttling wait (exponential, with jitter so parallel senders spread
    out) and try again, at most ``attempts`` times in all. Other errors, and throttling that
    outlasts the attempts, propagate.

    >>> send_with_backoff(lambda: "id-1", sleep=lambda s: None)
    'id-1'
    """
    for attempt in range(attempts):
        try:
            return send()
        except Exception as exc:
            if not is_throttling(exc) or attempt == attempts - 1:
                raise
            ceiling = base_delay * (2 ** attempt)
            sleep(ceiling / 2 + random.uniform(0, ceiling / 2))
    raise AssertionError("unreachable")


class Mailer:
    def __init__(self, ses_send: Callable[[bytes, str], str] = _ses_send,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.ledger = Ledger(SERVICE)
        self.table = Table(SERVICE)
        self.ses_send = ses_send
        self.sleep = sleep

    # --- sending ----------------------------------------------------------------------------
    def deliver(self, mail: EmailRequested, event_id: str | None) -> bool:
        """Send ``mail`` unless its key was sent before; True if it was sent now.

        Raises :class:`DeliveryInProgress` when another attempt holds the claim, and whatever
        rendering or SES raised (after giving the claim back)."""
        erased = bool(mail.participant_id) and self.is_erased(mail.participant_id)
        if not self.ledger.claim(mail.key, template=mail.template):
            return self._already_claimed(mail.key, erased)
        if erased or self._too_late(mail):
            # Nothing to send, ever: record the key as settled so retries stay quiet.
            self.ledger.done(mail.key, status="skipped")
            return False
        try:
            rendered, raw = self._compose(mail)
            message_id = send_with_backoff(lambda: self.ses_send(raw, mail.to), sleep=self.sleep)
        except Exception:
            self.ledger.release(mail.key)
            raise
        sent = {"state": "sent", "at": time.time(), "sent_at": clock.iso(clock.now()),
                "event_id": event_id, "participant_id": mail.participant_id, "recipient": mail.to,
                "template": mail.template, "subject": rendered.subject, "ses_message_id": message_id}
        self.table.put("LEDGER#" + mail.key, "CLAIM", sent)
        self._record(mail.key, sent)
        return True

    def _already_claimed(self, key: str, erased: bool) -> bool:
        entry = self.table.get("LEDGER#" + key, "CLAIM")
        if entry is None or entry.get("state") == "claimed":
            raise DeliveryInProgress(key)
        if entry.get("state") == "sent":
            # SES took it earlier but the records were not finished: finish them, send nothing.
            if erased:
                entry.update(recipient=None, subject=None, participant_id=None, erased=True)
            self._record(key, entry)
        return False

    def _too_late(self, mail: EmailRequested) -> bool:
        if mail.not_after is None:
            return False
        late = clock.now() > mail.not_after
        if late:
            log.info("mail %s is past its moment (%s); not sending", mail.key, mail.not_after.isoformat())
        return late

    def _compose(self, mail: EmailRequested) -> tuple[Any, bytes]:
        from samling.notifications.mime import build_message
        from samling.notifications.render import render

        rendered = render(mail.template, mail.language, mail.context)
        attachments = [(a["filename"], a["content_type"], base64.b64decode(a["content_b64"]))
                       for a in mail.attachments]
        if mail.context.get("calendar"):
            attachments.append(calendar_attachment(mail.context["calendar"]))
        raw = build_message(settings.sender(), mail.to, rendered, attachments,
                            headers={"X-Samling-Key": mail.key})
        return rendered, raw

    def _record(self, key: str, sent: dict) -> None:
        """The outbox entry and the person's index to it; written the same way however often
        it runs, so a redelivery that completes it leaves one entry."""
        outbox_pk, outbox_sk = f"OUTBOX#{sent.get('event_id') or '-'}", f"{sent['sent_at']}#{key}"
        record = {"key": key, "recipient": sent.get("recipient"), "template": sent.get("template"),
                  "subject": sent.get("subject"), "time": sent["sent_at"], "status": "sent",
                  "participant_id": sent.get("participant_id"), "ses_message_id": sent.get("ses_message_id")}
        if sent.get("erased"):
            record["erased"] = True
        self.table.put(outbox_pk, outbox_sk, record)
        if sent.get("participant_id"):
            self.table.put(f"PERSONMAIL#{sent['participant_id']}", key,
                           {"outbox_pk": outbox_pk, "outbox_sk": outbox_sk})
        self.ledger.done(key, status="sent", outbox_pk=outbox_pk, outbox_sk=outbox_sk)

    # --- reading and erasing ----------------------------------------------------------------
    def outbox(self, event_id: str) -> list[dict]:
        return [{k: r.get(k) for k in ("recipient", "template", "subject", "time", "status")}
                for r in self.table.query(f"OUTBOX#{event_id}")]

    def is_erased(self, participant_id: str) -> bool:
        return self.table.get(ERASED_PK, participant_id) is not None

    def erase_person(self, participant_id: str) -> int:
        """Remove the person's address and subjects from every mail record; the records stay,
        so counts of mails sent stay right."""
        erased = 0
        for key, ref in list(self.table.query_items(f"PERSONMAIL#{participant_id}")):
            record = self.table.get(ref["outbox_pk"], ref["outbox_sk"])
            if record:
                record.update(recipient=None, subject=None, participant_id=None, erased=True)
                self.table.put(ref["outbox_pk"], ref["outbox_sk"], record)
            entry = self.table.get("LEDGER#" + key, "CLAIM")
            if entry and {"recipient", "subject", "to", "participant_id"} & entry.keys():
                for field in ("recipient", "subject", "to", "participant_id"):
                    entry.pop(field, None)
                self.table.put("LEDGER#" + key, "CLAIM", entry)
            self.table.delete(f"PERSONMAIL#{participant_id}", key)
            erased += 1
        return erased


def calendar_attachment(calendar: dict) -> tuple[str, str, bytes]:
    """The .ics for a confirmation: one VEVENT per session the person attends."""
    from samling.notifications.ics import CONTENT_TYPE, FILENAME, SessionInfo, calendar_for

    sessions = [SessionInfo(id=s["id"], title=s["title"], start=_instant(s["start"]), end=_instant(s["end"]),
                            location=s.get("location"), join_url=s.get("join_url"))
                for s in calendar["sessions"]]
    content = calendar_for(calendar["event_id"], calendar["event_title"], calendar["organiser"], sessions,
                           calendar["participant_id"], sequence=int(calendar.get("sequence", 0)),
                           attendee_email=calendar.get("attendee_email"), now=clock.now())
    return FILENAME, CONTENT_TYPE, content


def _instant(value: str | datetime) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def encode_attachment(content: bytes, filename: str, content_type: str) -> dict[str, Any]:
    """An attachment as ``EmailRequested.attachments`` carries it."""
    return {"filename": filename, "content_type": content_type,
            "content_b64": base64.b64encode(content).decode("ascii")}
