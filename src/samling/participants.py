"""A service's own projection of an event's participants, kept from registration's messages.

Matching and certificates each keep one in their own table (nothing is shared at run time but
the messages): who is confirmed, with the attributes that service needs.
"""
from __future__ import annotations

from collections.abc import Callable

from samling.contracts import (Envelope, EventConfigured, ParticipantConfirmed, ParticipantStatusChanged,
                               ParticipantWithdrawn, PersonErased)
from samling.platform.dynamo import Table


class ParticipantProjection:
    def __init__(self, service: str) -> None:
        self.table = Table(service)

    def apply(self, env: Envelope, on_erase: Callable[[str, str], None] | None = None) -> bool:
        """Fold one message in; True if it was about participants or events.

        ``on_erase(event_id, participant_id)`` runs for an erased person before the projection
        forgets which event they belonged to, so the service can remove what it holds of them.
        """
        body = env.body()
        if isinstance(body, PersonErased) and on_erase is not None:
            event_id = env.event_id or self.event_of(body.participant_id)
            if event_id:
                on_erase(event_id, body.participant_id)
        if isinstance(body, EventConfigured):
            self.table.put("EVENTS", body.event["id"], body.event)
        elif isinstance(body, (ParticipantConfirmed, ParticipantStatusChanged)) and env.event_id:
            person = body.participant.model_dump(mode="json")
            self.table.put(f"PEOPLE#{env.event_id}", person["id"], person)
            self.table.put(f"PERSON#{person['id']}", "REF", {"event_id": env.event_id})
        elif isinstance(body, ParticipantWithdrawn):
            self._set_status(body.participant_id, body.status)
        elif isinstance(body, PersonErased):
            ref = self.table.get(f"PERSON#{body.participant_id}", "REF")
            if ref:
                self.table.delete(f"PEOPLE#{ref['event_id']}", body.participant_id)
            self.table.delete(f"PERSON#{body.participant_id}", "REF")
        else:
            return False
        return True

    def _set_status(self, participant_id: str, status: str) -> None:
        ref = self.table.get(f"PERSON#{participant_id}", "REF")
        if not ref:
            return
        person = self.table.get(f"PEOPLE#{ref['event_id']}", participant_id)
        if person:
            person["status"] = status
            self.table.put(f"PEOPLE#{ref['event_id']}", participant_id, person)

    def event_of(self, participant_id: str) -> str | None:
        """Which event a participant belongs to, while the projection still knows them."""
        ref = self.table.get(f"PERSON#{participant_id}", "REF")
        return ref["event_id"] if ref else None

    def event(self, event_id: str) -> dict | None:
        return self.table.get("EVENTS", event_id)

    def confirmed(self, event_id: str) -> list[dict]:
        people = [p for p in self.table.query(f"PEOPLE#{event_id}") if p.get("status") == "confirmed"]
        return sorted(people, key=lambda p: p["id"])

    def person(self, event_id: str, participant_id: str) -> dict | None:
        return self.table.get(f"PEOPLE#{event_id}", participant_id)
