"""Registration's persistence: the only module that knows how its data sits in DynamoDB.

Layout (one table, pk/sk):
  EVENTS / <event id>                 the event configuration
  EVENT#<id> / APP#<application id>   an application
  EVENT#<id> / EMAIL#<sha256(email)>  uniqueness of an email within an event
  EVENT#<id> / SEATS                  places held (offered + confirmed), a bounded counter
  EVENT#<id> / RESULT#<name>          last selection, accommodation, programme …
  APP#<application id> / REF          which event an application belongs to
"""
from __future__ import annotations

from typing import Any

from samling.platform.dynamo import ConditionFailed, Table

SERVICE = "registration"


class RegistrationStore:
    def __init__(self) -> None:
        self.table = Table(SERVICE)

    # events -------------------------------------------------------------------------------
    def put_event(self, event: dict) -> bool:
        """Store an event; True if it is new."""
        created = self.table.get("EVENTS", event["id"]) is None
        self.table.put("EVENTS", event["id"], event)
        return created

    def event(self, event_id: str) -> dict | None:
        return self.table.get("EVENTS", event_id)

    def events(self) -> list[dict]:
        return self.table.query("EVENTS")

    # applications ---------------------------------------------------------------------------
    def claim_email(self, event_id: str, email_hash: str, application_id: str) -> str | None:
        """Reserve the email for this application; the id that already holds it, if any."""
        try:
            self.table.put(f"EVENT#{event_id}", f"EMAIL#{email_hash}", {"application_id": application_id},
                           if_absent=True)
            return None
        except ConditionFailed:
            held = self.table.get(f"EVENT#{event_id}", f"EMAIL#{email_hash}")
            return held["application_id"] if held else None

    def email_holder(self, event_id: str, email_hash: str) -> str | None:
        held = self.table.get(f"EVENT#{event_id}", f"EMAIL#{email_hash}")
        return held["application_id"] if held else None

    def release_email(self, event_id: str, email_hash: str) -> None:
        self.table.delete(f"EVENT#{event_id}", f"EMAIL#{email_hash}")

    def put_application(self, app: dict, *, version: int | None = None) -> None:
        """Write an application; with ``version``, only if nobody changed it meanwhile (``0`` for a
        new one). Every write bumps the stored version, so a later conditional write can tell."""
        pk, sk = f"EVENT#{app['event_id']}", f"APP#{app['id']}"
        if version is None:
            _, version = self.table.get_versioned(pk, sk)
        self.table.put(pk, sk, app, if_version=version)
        if version == 0:  # the reference never changes once the application exists
            self.table.put(f"APP#{app['id']}", "REF", {"event_id": app["event_id"]})

    def application(self, application_id: str) -> dict | None:
        found, _ = self.application_versioned(application_id)
        return found

    def application_versioned(self, application_id: str) -> tuple[dict | None, int]:
        ref = self.table.get(f"APP#{application_id}", "REF")
        if not ref:
            return None, 0
        return self.table.get_versioned(f"EVENT#{ref['event_id']}", f"APP#{application_id}")

    def application_in(self, event_id: str, application_id: str) -> tuple[dict | None, int]:
        """``application_versioned`` when the event is known already: one read instead of two."""
        return self.table.get_versioned(f"EVENT#{event_id}", f"APP#{application_id}")

    def applications(self, event_id: str) -> list[dict]:
        apps = self.table.query(f"EVENT#{event_id}", "APP#")
        return sorted(apps, key=lambda a: (a.get("submitted_at", ""), a.get("seq", 0), a["id"]))

    def delete_application(self, app: dict) -> None:
        self.table.delete(f"EVENT#{app['event_id']}", f"APP#{app['id']}")
        self.table.delete(f"APP#{app['id']}", "REF")

    # seats -----------------------------------------------------------------------------------
    def take_seat(self, event_id: str, capacity: int) -> bool:
        return self.table.bounded_increment(f"EVENT#{event_id}", "SEATS", capacity)

    def take_seats(self, event_id: str, count: int) -> None:
        """Hold ``count`` places at once (the caller has checked there is room)."""
        if count:
            self.table.counter(f"EVENT#{event_id}", "SEATS", count)

    def free_seat(self, event_id: str) -> None:
        self.table.counter(f"EVENT#{event_id}", "SEATS", -1)

    def seats_taken(self, event_id: str) -> int:
        return self.table.read_counter(f"EVENT#{event_id}", "SEATS")

    def count(self, event_id: str, name: str, by: int = 1) -> int:
        return self.table.counter(f"EVENT#{event_id}", f"COUNT#{name}", by)

    # results and other per-event documents ------------------------------------------------------
    def put_result(self, event_id: str, name: str, doc: Any) -> None:
        self.table.put(f"EVENT#{event_id}", f"RESULT#{name}", {"value": doc})

    def claim_result(self, event_id: str, name: str, doc: Any) -> bool:
        """Store a result only if there is none yet; False when another run stored one first."""
        try:
            self.table.put(f"EVENT#{event_id}", f"RESULT#{name}", {"value": doc}, if_absent=True)
            return True
        except ConditionFailed:
            return False

    def result(self, event_id: str, name: str) -> Any:
        found = self.table.get(f"EVENT#{event_id}", f"RESULT#{name}")
        return found["value"] if found else None

    def put_item(self, event_id: str, kind: str, item_id: str, doc: dict) -> None:
        self.table.put(f"EVENT#{event_id}", f"{kind}#{item_id}", doc)

    def items(self, event_id: str, kind: str) -> list[dict]:
        return self.table.query(f"EVENT#{event_id}", f"{kind}#")

    def item(self, event_id: str, kind: str, item_id: str) -> dict | None:
        return self.table.get(f"EVENT#{event_id}", f"{kind}#{item_id}")

    def delete_item(self, event_id: str, kind: str, item_id: str) -> None:
        self.table.delete(f"EVENT#{event_id}", f"{kind}#{item_id}")

    def put_ref(self, kind: str, item_id: str, event_id: str) -> None:
        self.table.put(f"{kind}#{item_id}", "REF", {"event_id": event_id})

    def ref(self, kind: str, item_id: str) -> str | None:
        found = self.table.get(f"{kind}#{item_id}", "REF")
        return found["event_id"] if found else None
