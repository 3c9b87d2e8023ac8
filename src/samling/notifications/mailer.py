"""Sending one requested mail exactly once: claim its key in the ledger, render, send through
SES, then record it in the event's outbox. A redelivered request finds the claim and sends
nothing; SES throttling is retried with backoff and, if it persists, the error goes back to
the queue so the mail is tried again later rather than lost."""
from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable
from typing import Any

from samling.contracts import EmailRequested
from samling.platform import aws, clock, settings
from samling.platform.consumer import Ledger
from samling.platform.dynamo import Table

log = logging.getLogger("samling.mailer")
SERVICE = "notifications"
THROTTLE_CODES = {"Throttling", "ThrottlingException", "TooManyRequestsException"}


def _ses_send(raw: bytes, to: str) -> str:
    out = aws.client("ses").send_raw_email(Source=settings.sender(), Destinations=[to],
                                           RawMessage={"Data": raw})
    return out["MessageId"]


def send_with_backoff(send: Callable[[], str], *, attempts: int = 6, base_delay: float = 0.2,
                      sleep: Callable[[float], None] = time.sleep) -> str:
    from botocore.exceptions import ClientError

    for attempt in range(attempts):
        try:
            return send()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            message = exc.response.get("Error", {}).get("Message", "")
            throttled = code in THROTTLE_CODES or "rate exceeded" in message.lower()
            if not throttled or attempt == attempts - 1:
                raise
            sleep(base_delay * (2 ** attempt))
    raise AssertionError("unreachable")


class Mailer:
    def __init__(self, ses_send: Callable[[bytes, str], str] = _ses_send,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.ledger = Ledger(SERVICE)
        self.table = Table(SERVICE)
        self.ses_send = ses_send
        self.sleep = sleep

    def deliver(self, mail: EmailRequested, event_id: str | None) -> bool:
        """Send ``mail`` unless its key was sent before; True if it was sent now."""
        from samling.notifications.mime import build_message
        from samling.notifications.render import render

        if not self.ledger.claim(mail.key, to=mail.to, template=mail.template):
            return False
        try:
            rendered = render(mail.template, mail.language, mail.context)
            attachments = [(a["filename"], a["content_type"], base64.b64decode(a["content_b64"]))
                           for a in mail.attachments]
            if "calendar" in mail.context:
                attachments.append(calendar_attachment(mail.context["calendar"]))
            raw = build_message(settings.sender(), mail.to, rendered, attachments,
                                headers={"X-Samling-Key": mail.key})
            message_id = send_with_backoff(lambda: self.ses_send(raw, mail.to), sleep=self.sleep)
        except Exception:
            self.ledger.release(mail.key)
            raise
        sent_at = clock.iso(clock.now())
        record = {"key": mail.key, "recipient": mail.to, "template": mail.template,
                  "subject": rendered.subject, "time": sent_at, "status": "sent",
                  "participant_id": mail.participant_id, "ses_message_id": message_id}
        self.table.put(f"OUTBOX#{event_id or '-'}", f"{sent_at}#{mail.key}", record)
        if mail.participant_id:
            self.table.put(f"PERSONMAIL#{mail.participant_id}", mail.key,
                           {"outbox_pk": f"OUTBOX#{event_id or '-'}", "outbox_sk": f"{sent_at}#{mail.key}"})
        self.ledger.done(mail.key, status="sent")
        return True

    def outbox(self, event_id: str) -> list[dict]:
        return [{k: r.get(k) for k in ("recipient", "template", "subject", "time", "status")}
                for r in self.table.query(f"OUTBOX#{event_id}")]

    def erase_person(self, participant_id: str) -> int:
        """Remove the person's address from every mail record; keep anonymous counts."""
        erased = 0
        for key, ref in list(self.table.query_items(f"PERSONMAIL#{participant_id}")):
            record = self.table.get(ref["outbox_pk"], ref["outbox_sk"])
            if record:
                record.update(recipient=None, subject=None, participant_id=None, erased=True)
                self.table.put(ref["outbox_pk"], ref["outbox_sk"], record)
            ledger = self.table.get("LEDGER#" + key, "CLAIM")
            if ledger:
                ledger.pop("to", None)
                self.table.put("LEDGER#" + key, "CLAIM", ledger)
            self.table.delete(f"PERSONMAIL#{participant_id}", key)
            erased += 1
        return erased


def calendar_attachment(calendar: dict) -> tuple[str, str, bytes]:
    """The .ics for a confirmation: one VEVENT per session the person attends."""
    from samling.notifications.ics import CONTENT_TYPE, FILENAME, SessionInfo, calendar_for

    sessions = [SessionInfo(id=s["id"], title=s["title"], start=s["start"], end=s["end"],
                            location=s.get("location"), join_url=s.get("join_url"))
                for s in calendar["sessions"]]
    content = calendar_for(calendar["event_id"], calendar["event_title"], calendar["organiser"], sessions,
                           calendar["participant_id"], sequence=int(calendar.get("sequence", 0)))
    return FILENAME, CONTENT_TYPE, content


def decode_attachment(content: bytes, filename: str, content_type: str) -> dict[str, Any]:
    return {"filename": filename, "content_type": content_type,
            "content_b64": base64.b64encode(content).decode("ascii")}
