"""Reads the packaged CSV files once, on first use, and keeps the result for the process."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

from ._model import NAME_SEPARATOR, County, Municipality

# Counties that ceased to exist on 1 January 2024. Their numbers are kept only to explain what
# replaced them; the names are not in the data files because those describe 2024.
DISSOLVED_COUNTIES = {"30": "Viken", "38": "Vestfold og Telemark", "54": "Troms og Finnmark"}


@dataclass(frozen=True)
class Renumbering:
    old_number: str
    old_name: str
    new_numbers: tuple[str, ...]


@dataclass(frozen=True)
class Tables:
    municipalities: tuple[Municipality, ...]
    by_number: dict[str, Municipality]
    counties: tuple[County, ...]
    county_by_number: dict[str, County]
    renumbered: dict[str, Renumbering]
    dissolved_counties: dict[str, tuple[str, ...]]


def _rows(filename: str) -> list[dict[str, str]]:
    source = resources.files(__package__).joinpath("data", filename)
    with source.open("r", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split(value: str) -> tuple[str, ...]:
    return tuple(part for part in value.split("|") if part)


def _name_position(name: str, parallel_names: tuple[str, ...], official: str | None) -> int:
    if official is None:
        if parallel_names:
            raise ValueError(f"{name}: parallel names without an official name")
        return 0
    parts = official.split(NAME_SEPARATOR)
    rest = [part for part in parts if part != name]
    if len(rest) != len(parts) - 1 or tuple(rest) != parallel_names:
        raise ValueError(f"official name {official!r} does not match {name!r} + {parallel_names!r}")
    return parts.index(name)


@functools.cache
def tables() -> Tables:
    official = {(row["kind"], row["number"]): row["official_name"] for row in _rows("official_names.csv")}

    counties = []
    for row in _rows("fylker.csv"):
        parallel = _split(row["parallel_names"])
        position = _name_position(row["name"], parallel, official.get(("county", row["number"])))
        counties.append(County(row["number"], row["name"], parallel, position))
    counties.sort(key=lambda c: c.number)

    municipalities = []
    for row in _rows("kommuner.csv"):
        parallel = _split(row["parallel_names"])
        position = _name_position(row["name"], parallel, official.get(("municipality", row["number"])))
        municipalities.append(
            Municipality(
                number=row["number"],
                name=row["name"],
                parallel_names=parallel,
                county_number=row["county_number"],
                county_name=row["county_name"],
                population=int(row["population"]),
                admin_centre=row["admin_centre"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                name_position=position,
            )
        )
    municipalities.sort(key=lambda m: m.number)

    grouped: dict[str, tuple[str, list[str]]] = {}
    for row in _rows("renumbered_2020_2024.csv"):
        entry = grouped.setdefault(row["old_number"], (row["old_name"], []))
        entry[1].append(row["new_number"])
    renumbered = {
        old: Renumbering(old, name, tuple(sorted(new))) for old, (name, new) in sorted(grouped.items())
    }

    successor_counties: dict[str, set[str]] = {number: set() for number in DISSOLVED_COUNTIES}
    for entry in renumbered.values():
        if entry.old_number[:2] in successor_counties:
            successor_counties[entry.old_number[:2]].update(n[:2] for n in entry.new_numbers)

    return Tables(
        municipalities=tuple(municipalities),
        by_number={m.number: m for m in municipalities},
        counties=tuple(counties),
        county_by_number={c.number: c for c in counties},
        renumbered=renumbered,
        dissolved_counties={k: tuple(sorted(v)) for k, v in successor_counties.items()},
    )
