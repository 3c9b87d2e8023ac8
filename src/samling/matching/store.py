"""Matching's own records in its table: the event's current groups and every pairing round.

>>> store = MatchingStore()
>>> store.groups("klimakronsj-2021")          # doctest: +SKIP
{"groups": [...], "score": {...}, "formed_at": "..."}

Groups are one document per event, written with a version check so two organisers forming
groups at once cannot both win. Rounds are one item each, keyed by their number and written only
if absent, so two requests can never make the same round twice.
"""
from __future__ import annotations

from samling.platform.dynamo import ConditionFailed, Table

SERVICE = "matching"

__all__ = ["ConditionFailed", "MatchingStore"]


def _round_key(number: int) -> str:
    return f"ROUND#{number:05d}"


class MatchingStore:
    def __init__(self, table: Table | None = None) -> None:
        self.table = table or Table(SERVICE)

    # --- groups ------------------------------------------------------------------------------
    def groups(self, event_id: str) -> dict | None:
        return self.table.get(f"GROUPS#{event_id}", "CURRENT")

    def groups_versioned(self, event_id: str) -> tuple[dict | None, int]:
        return self.table.get_versioned(f"GROUPS#{event_id}", "CURRENT")

    def save_groups(self, event_id: str, doc: dict, *, expected_version: int) -> None:
        """Raises ``ConditionFailed`` if someone else wrote groups since ``expected_version``."""
        self.table.put(f"GROUPS#{event_id}", "CURRENT", doc, if_version=expected_version)

    # --- pairing rounds ------------------------------------------------------------------------
    def rounds(self, event_id: str) -> list[dict]:
        return sorted(self.table.query(f"PAIRINGS#{event_id}", "ROUND#"), key=lambda r: r["round"])

    def add_round(self, event_id: str, doc: dict) -> None:
        """Raises ``ConditionFailed`` if this round number was taken meanwhile."""
        self.table.put(f"PAIRINGS#{event_id}", _round_key(doc["round"]), doc, if_absent=True)

    def replace_round(self, event_id: str, doc: dict) -> None:
        self.table.put(f"PAIRINGS#{event_id}", _round_key(doc["round"]), doc)

    # --- erasure -------------------------------------------------------------------------------
    def forget_person(self, event_id: str, participant_id: str) -> None:
        """Take an erased person out of the stored groups and rounds, keeping only counts.

        Idempotent, so a redelivered erasure changes nothing more.
        """
        doc, version = self.groups_versioned(event_id)
        if doc is not None and any(participant_id in g.get("members", []) for g in doc.get("groups", [])):
            for group in doc["groups"]:
                if participant_id in group.get("members", []):
                    group["members"] = [m for m in group["members"] if m != participant_id]
                    group["erased"] = group.get("erased", 0) + 1
            self.table.put(f"GROUPS#{event_id}", "CURRENT", doc, if_version=version)
        for rnd in self.rounds(event_id):
            if not any(participant_id in pair for pair in rnd.get("pairs", [])):
                continue
            rnd["pairs"] = [[m for m in pair if m != participant_id] for pair in rnd["pairs"]]
            rnd["erased"] = rnd.get("erased", 0) + 1
            self.replace_round(event_id, rnd)
