"""Notifications' own picture of events, participants and invitees, built from the messages
it receives; reminders and broadcasts are computed from this, never from another service's
tables.

Queues do not keep order and redeliver, so each write says when its message happened and an
older message never overwrites a newer one; an erased person is remembered by id only, so a
late message cannot bring them back."""
from __future__ import annotations

from typing import Any

from samling.platform.dynamo import Table

SERVICE = "notifications"
ERASED_PK = "ERASED"
# On equal times (a frozen clock, or one request doing two things) a final status wins, so a
# person who withdrew is never reminded because two messages carried the same instant.
FINAL_STATUSES = frozenset({"withdrawn", "declined", "not_selected", "expired"})


def _newer(existing: dict, at: float | None, status: str | None) -> bool:
    seen = existing.get("_at")
    if at is None or seen is None:
        return True
    if at != seen:
        return at > seen
    return not (existing.get("status") in FINAL_STATUSES and status not in FINAL_STATUSES)


class Projection:
    def __init__(self) -> None:
        self.table = Table(SERVICE)

    # events
    def put_event(self, event: dict, at: float | None = None) -> None:
        existing = self.table.get("EVENTS", event["id"]) or {}
        if existing and at is not None and existing.get("_at") is not None and at < existing["_at"]:
            return
        self.table.put("EVENTS", event["id"], {**event, "_at": at})

    def event(self, event_id: str) -> dict | None:
        return self.table.get("EVENTS", event_id)

    def events(self) -> list[dict]:
        return self.table.query("EVENTS")

    # participants
    def put_participant(self, event_id: str, participant: dict, at: float | None = None) -> None:
        if self.is_erased(participant["id"]):
            return
        existing = self.table.get(f"PEOPLE#{event_id}", participant["id"]) or {}
        if existing and not _newer(existing, at, participant.get("status")):
            return
        self.table.put(f"PEOPLE#{event_id}", participant["id"], {**existing, **participant, "_at": at})
        self.table.put("PERSONEVENT", participant["id"], {"event_id": event_id})
        if participant.get("municipality"):
            self.table.put(f"APPLIED#{event_id}", participant["municipality"], {"m": participant["municipality"]})

    def set_status(self, participant_id: str, status: str, at: float | None = None) -> None:
        ref = self.table.get("PERSONEVENT", participant_id)
        if not ref:
            return
        existing = self.table.get(f"PEOPLE#{ref['event_id']}", participant_id)
        if existing and _newer(existing, at, status):
            existing.update(status=status, _at=at)
            self.table.put(f"PEOPLE#{ref['event_id']}", participant_id, existing)

    def participants(self, event_id: str) -> list[dict]:
        return self.table.query(f"PEOPLE#{event_id}")

    def erase(self, participant_id: str) -> None:
        self.table.put(ERASED_PK, participant_id, {})
        ref = self.table.get("PERSONEVENT", participant_id)
        if ref:
            self.table.delete(f"PEOPLE#{ref['event_id']}", participant_id)
        self.table.delete("PERSONEVENT", participant_id)

    def is_erased(self, participant_id: str) -> bool:
        return self.table.get(ERASED_PK, participant_id) is not None

    # invitees and which municipalities have applied
    def add_invitees(self, event_id: str, invitees: list[dict[str, Any]]) -> None:
        for invitee in invitees:
            self.table.put(f"INVITEES#{event_id}", invitee["email"].lower(), invitee)

    def invitees(self, event_id: str) -> list[dict]:
        return self.table.query(f"INVITEES#{event_id}")

    def applied_municipalities(self, event_id: str) -> set[str]:
        return {d["m"] for d in self.table.query(f"APPLIED#{event_id}")}

    # groups, for broadcasts to one group
    def put_groups(self, event_id: str, groups: list[dict]) -> None:
        self.table.put(f"GROUPS#{event_id}", "latest", {"groups": groups})

    def groups(self, event_id: str) -> list[dict]:
        return (self.table.get(f"GROUPS#{event_id}", "latest") or {"groups": []})["groups"]

    def group_members(self, event_id: str, group_id: str) -> list[str] | None:
        """The group's member ids; None if the event has no such group."""
        for group in self.groups(event_id):
            if group.get("id") == group_id:
                return list(group.get("members", []))
        return None
