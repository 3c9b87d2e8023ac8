"""Queue consumption with Lambda's batch semantics and exactly-once effects.

``consume`` runs one handler per record and reports the records that failed, so SQS retries
only those and, after ``maxReceiveCount`` tries, moves them to the dead-letter queue. A failure
is never swallowed.

``Ledger.once`` claims a deterministic key with a conditional write before a side effect
(a mail, a record), so a redelivered message finds the claim and does nothing again.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from samling.contracts import Envelope
from samling.platform.dynamo import ConditionFailed, Table

log = logging.getLogger("samling.consumer")


def records(event: Any) -> list[dict]:
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    return list(raw.get("Records", []))


def parse(record: dict) -> Envelope:
    body = json.loads(record["body"])
    # Without raw delivery SNS wraps the envelope in its own notification.
    if isinstance(body, dict) and body.get("Type") == "Notification" and "Message" in body:
        body = json.loads(body["Message"])
    return Envelope.model_validate(body)


def consume(event: Any, handle: Callable[[Envelope], None]) -> dict:
    """Handle every record; return ``{"batchItemFailures": [...]}`` for those that raised."""
    failures = []
    for record in records(event):
        try:
            handle(parse(record))
        except Exception:  # reported, never swallowed: SQS retries it, then the DLQ keeps it
            log.exception("message %s failed", record.get("messageId"))
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


class Ledger:
    """Claims of side effects done, in the service's own table."""

    IN_PROGRESS_TTL = 300  # a claim whose holder died mid-way may be retaken after this

    def __init__(self, service: str) -> None:
        self.table = Table(service)

    def claim(self, key: str, **info: Any) -> bool:
        """True if this caller now owns ``key``; False if it is done or being done."""
        now = time.time()
        try:
            self.table.put("LEDGER#" + key, "CLAIM", {"state": "claimed", "at": now, **info},
                           if_absent=True)
            return True
        except ConditionFailed:
            existing = self.table.get("LEDGER#" + key, "CLAIM") or {}
            if existing.get("state") == "claimed" and now - existing.get("at", now) > self.IN_PROGRESS_TTL:
                self.table.put("LEDGER#" + key, "CLAIM", {"state": "claimed", "at": now, **info})
                return True
            return False

    def done(self, key: str, **info: Any) -> None:
        self.table.put("LEDGER#" + key, "CLAIM", {"state": "done", "at": time.time(), **info})

    def release(self, key: str) -> None:
        """Give a claim back after a failed attempt so the retry may try again."""
        self.table.delete("LEDGER#" + key, "CLAIM")

    def seen(self, key: str) -> bool:
        return self.table.get("LEDGER#" + key, "CLAIM") is not None

    def once(self, key: str, effect: Callable[[], Any], **info: Any) -> bool:
        """Run ``effect`` unless ``key`` was claimed before; True if it ran now."""
        if not self.claim(key, **info):
            return False
        try:
            effect()
        except Exception:
            self.release(key)
            raise
        self.done(key, **info)
        return True
