"""Notifications' own picture of events, participants and invitees, built from the messages
it receives; reminders and broadcasts are computed from this, never from another service's
tables."""
from __future__ import annotations

from typing import Any

from samling.platform.dynamo import Table

SERVICE = "notifications"


class Projection:
    def __init__(self) -> None:
        self.table = Table(SERVICE)

    # events
    def put_event(self, event: dict) -> None:
        self.table.put("EVENTS", event["id"], event)

    def event(self, event_id: str) -> dict | None:
        return self.table.get("EVENTS", event_id)

    def events(self) -> list[dict]:
        return self.table.query("EVENTS")

    # participants
    def put_participant(self, event_id: str, participant: dict) -> None:
        existing = self.table.get(f"PEOPLE#{event_id}", participant["id"]) or {}
        self.table.put(f"PEOPLE#{event_id}", participant["id"], {**existing, **participant})
        self.table.put("PERSONEVENT", participant["id"], {"event_id": event_id})
        if participant.get("municipality"):
            self.table.put(f"APPLIED#{event_id}", participant["municipality"], {"m": participant["municipality"]})

    def set_status(self, participant_id: str, status: str) -> None:
        ref = self.table.get("PERSONEVENT", participant_id)
        if not ref:
            return
        existing = self.table.get(f"PEOPLE#{ref['event_id']}", participant_id)
        if existing:
            existing["status"] = status
            self.table.put(f"PEOPLE#{ref['event_id']}", participant_id, existing)

    def participants(self, event_id: str) -> list[dict]:
        return self.table.query(f"PEOPLE#{event_id}")

    def erase(self, participant_id: str) -> None:
        ref = self.table.get("PERSONEVENT", participant_id)
        if ref:
            self.table.delete(f"PEOPLE#{ref['event_id']}", participant_id)
        self.table.delete("PERSONEVENT", participant_id)

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

    def group_members(self, event_id: str, group_id: str) -> list[str]:
        doc = self.table.get(f"GROUPS#{event_id}", "latest") or {"groups": []}
        for group in doc["groups"]:
            if group.get("id") == group_id:
                return list(group.get("members", []))
        return []
