"""Hotel nights paid by the organiser.

Each municipality has a quota of covered **people** (not nights). Among a municipality's
participants who need a room, the earliest confirmations win (then id; leaders first when the
policy says so). Covered participants get every night of the event; those travelling from at
least ``extra_night_min_km`` away who asked for it also get the extra night. Participants from
the venue municipality never get the extra night. An organiser's override decides the extra
night for that participant and is reported with its reason.

Only participants who need a room take part in the allocation. A withdrawn participant is simply
left out of the input, so the next in line in that municipality moves up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any

from samling.registration.csvexport import to_csv

__all__ = [
    "Allocation",
    "Lodger",
    "Override",
    "Placement",
    "Policy",
    "allocate",
    "grant_extra_night",
    "rooming_list_rows",
    "to_csv",
]


@dataclass(frozen=True)
class Lodger:
    id: str
    name: str
    municipality: str
    confirmed_at: datetime
    needs_room: bool
    wants_extra_night: bool
    is_leader: bool = False
    dietary: str | None = None


@dataclass(frozen=True)
class Policy:
    nights: tuple[date, ...]
    extra_night: date | None
    quota_per_municipality: int
    extra_night_min_km: float
    leaders_priority: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, leaders_priority: bool = False) -> Policy:
        """From an event's ``accommodation`` block in the API's shape."""
        extra = data.get("extra_night")
        return cls(
            nights=tuple(date.fromisoformat(d) for d in data.get("nights", [])),
            extra_night=date.fromisoformat(extra) if extra else None,
            quota_per_municipality=int(data["quota_per_municipality"]),
            extra_night_min_km=float(data.get("extra_night_min_km", 0)),
            leaders_priority=bool(data.get("leaders_priority", leaders_priority)),
        )


@dataclass(frozen=True)
class Override:
    participant_id: str
    extra_night: bool
    reason: str


@dataclass(frozen=True)
class Placement:
    id: str
    municipality: str
    nights: tuple[date, ...]
    covered: bool
    extra_night: bool
    distance_km: float
    override: Override | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "municipality": self.municipality,
            "nights": [d.isoformat() for d in self.nights],
            "covered": self.covered,
            "extra_night": self.extra_night,
            "distance_km": self.distance_km,
            "override": (
                {"extra_night": self.override.extra_night, "reason": self.override.reason}
                if self.override is not None
                else None
            ),
        }


@dataclass(frozen=True)
class Allocation:
    participants: tuple[Placement, ...]
    municipalities: Mapping[str, Mapping[str, int]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "participants": [p.to_dict() for p in self.participants],
            "municipalities": {
                m: {"covered": c["covered"], "not_covered": c["not_covered"]}
                for m, c in sorted(self.municipalities.items())
            },
        }


def grant_extra_night(
    lodger: Lodger, policy: Policy, venue_municipality: str, distance: float
) -> bool:
    """The rule without overrides: asked for it, travels far enough, not a local."""
    return (
        policy.extra_night is not None
        and lodger.wants_extra_night
        and lodger.municipality != venue_municipality
        and distance >= policy.extra_night_min_km
    )


def _priority(policy: Policy) -> Callable[[Lodger], tuple]:
    if policy.leaders_priority:
        return lambda lo: (not lo.is_leader, lo.confirmed_at, lo.id)
    return lambda lo: (lo.confirmed_at, lo.id)


def allocate(
    lodgers: Sequence[Lodger],
    policy: Policy,
    venue_municipality: str,
    distance_km: Callable[[str, str], float],
    overrides: Mapping[str, Override] = MappingProxyType({}),
) -> Allocation:
    """Decide who is covered and who gets the extra night; same input, same output.

    An override decides the extra night of a covered participant whatever they asked and
    however far they travel (it cannot give a night the event does not have). A participant
    who is not covered has no paid nights, so an override on them is reported but grants nothing.
    """
    if policy.quota_per_municipality < 0:
        raise ValueError("quota_per_municipality must be 0 or more")
    ids = [lo.id for lo in lodgers]
    if len(set(ids)) != len(ids):
        raise ValueError("lodger ids must be unique")

    by_municipality: dict[str, list[Lodger]] = defaultdict(list)
    for lo in lodgers:
        if lo.needs_room:
            by_municipality[lo.municipality].append(lo)

    nights = tuple(sorted(set(policy.nights)))
    distances: dict[str, float] = {}
    placements: list[Placement] = []
    summary: dict[str, dict[str, int]] = {}
    key = _priority(policy)
    for municipality in sorted(by_municipality):
        queue = sorted(by_municipality[municipality], key=key)
        if municipality not in distances:
            distances[municipality] = (
                0.0
                if municipality == venue_municipality
                else float(distance_km(municipality, venue_municipality))
            )
        distance = distances[municipality]
        summary[municipality] = {"covered": 0, "not_covered": 0}
        for rank, lo in enumerate(queue):
            covered = rank < policy.quota_per_municipality
            override = overrides.get(lo.id)
            if not covered:
                extra = False
            elif override is not None:
                extra = override.extra_night and policy.extra_night is not None
            else:
                extra = grant_extra_night(lo, policy, venue_municipality, distance)
            paid: tuple[date, ...] = ()
            if covered:
                paid = tuple(sorted(set(nights) | ({policy.extra_night} if extra else set())))
            placements.append(
                Placement(
                    id=lo.id,
                    municipality=municipality,
                    nights=paid,
                    covered=covered,
                    extra_night=extra,
                    distance_km=round(distance, 1),
                    override=override,
                )
            )
            summary[municipality]["covered" if covered else "not_covered"] += 1

    order = {lo.id: (lo.municipality, lo.confirmed_at, lo.id) for lo in lodgers}
    placements.sort(key=lambda p: order[p.id])
    return Allocation(participants=tuple(placements), municipalities=summary)


_HEADERS = {
    "nb": ["Navn", "Kommune", "Innsjekk", "Utsjekk", "Antall netter", "Kostbehov",
           "Dekket av arrangør"],
    "nn": ["Namn", "Kommune", "Innsjekk", "Utsjekk", "Tal på netter", "Kosthaldsbehov",
           "Dekt av arrangøren"],
    "en": ["Name", "Municipality", "Check-in", "Check-out", "Nights", "Dietary requirements",
           "Covered by the organiser"],
}
_YES_NO = {"nb": ("ja", "nei"), "nn": ("ja", "nei"), "en": ("yes", "no")}


def rooming_list_rows(
    allocation: Allocation,
    lodgers: Sequence[Lodger],
    lang: str,
    *,
    municipality_names: Mapping[str, str] | None = None,
) -> list[list[str]]:
    """The hotel's rooming list: a header row, then one row per participant in the allocation.

    Check-in is the earliest paid night and check-out the morning after the last. Participants
    not covered are listed too (marked as not covered, with no dates), so the hotel knows who
    books and pays on their own.
    """
    if lang not in _HEADERS:
        lang = "nb"
    yes, no = _YES_NO[lang]
    people = {lo.id: lo for lo in lodgers}
    rows = [list(_HEADERS[lang])]
    for p in allocation.participants:
        lo = people.get(p.id)
        if lo is None:
            continue
        municipality = p.municipality
        if municipality_names and municipality in municipality_names:
            municipality = f"{municipality} {municipality_names[municipality]}"
        check_in = p.nights[0].isoformat() if p.nights else ""
        check_out = (p.nights[-1] + timedelta(days=1)).isoformat() if p.nights else ""
        rows.append([
            lo.name,
            municipality,
            check_in,
            check_out,
            str(len(p.nights)),
            lo.dietary or "",
            yes if p.covered else no,
        ])
    return rows
