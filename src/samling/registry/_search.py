"""Forgiving name and number search: what people actually type into a municipality field."""

from __future__ import annotations

import functools
import re
import unicodedata

from ._load import DISSOLVED_COUNTIES, tables
from ._model import Municipality

# Letters that Unicode does not decompose into a base letter plus a mark.
_LETTERS = str.maketrans(
    {"æ": "ae", "ø": "oe", "å": "aa", "đ": "d", "ð": "d", "ŧ": "t", "ŋ": "n", "ß": "ss", "ł": "l"}
)

# Keyboards without æ, ø, å give "ae", "oe", "aa" (or just the bare vowel); folding every spelling
# to the bare vowel on both sides makes "Aalesund", "alesund" and "Ålesund" the same key.
_DIGRAPHS = (("aa", "a"), ("ae", "a"), ("oe", "o"))

_QUALIFIED = re.compile(r"^(?P<name>.+?)\s*\((?P<qualifier>[^()]+)\)\s*$")
_NUMBER_FIRST = re.compile(r"^(?P<number>[0-9]{4})(?:\s+\S.*)?$")


def fold(text: str) -> str:
    """Search key: case, accents, Norwegian transliterations, spaces and hyphens ignored."""
    key = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    key = "".join(ch for ch in key if ch.isalnum() and not unicodedata.combining(ch))
    for digraph, vowel in _DIGRAPHS:
        key = key.replace(digraph, vowel)
    return key


@functools.cache
def _index() -> tuple[tuple[Municipality, str, tuple[str, ...]], ...]:
    # The full official form only counts as an exact match: a substring running across the
    # " - " between two names would match nothing a person meant.
    return tuple(
        (m, fold(m.official_name), (fold(m.name), *(fold(p) for p in m.parallel_names)))
        for m in tables().municipalities
    )


@functools.cache
def _county_keys() -> dict[str, frozenset[str]]:
    t = tables()
    keys: dict[str, frozenset[str]] = {}
    # SSB's own 2020-2023 qualifiers, "Våler (Viken)", point to the counties that replaced them.
    for number, name in DISSOLVED_COUNTIES.items():
        keys[fold(name)] = keys[number] = frozenset(t.dissolved_counties[number])
    for c in t.counties:
        for key in (c.number, *(fold(name) for name in (c.name, *c.parallel_names))):
            keys[key] = frozenset({c.number})
    return keys


def _by_number(digits: str) -> list[Municipality]:
    t = tables()
    if digits in t.by_number:
        return [t.by_number[digits]]
    if len(digits) == 4 and digits in t.renumbered:
        return [t.by_number[n] for n in t.renumbered[digits].new_numbers]
    return [m for m in t.municipalities if m.number.startswith(digits)]


def find(query: str, limit: int = 10) -> list[Municipality]:
    """Municipalities matching a number or a name, best first (exact, then prefix, then substring).

    >>> [m.number for m in find("Aalesund")]
    ['1508']
    >>> [m.number for m in find("Herøy (Nordland)")]
    ['1818']
    """
    if limit <= 0 or not isinstance(query, str):
        return []
    text = query.strip()
    number = _NUMBER_FIRST.match(text)
    if number or (text.isascii() and text.isdigit()):
        return _by_number(number["number"] if number else text)[:limit]

    in_counties = None
    qualified = _QUALIFIED.match(text)
    if qualified:
        # SSB writes duplicate names as "Herøy (Nordland)"; a qualifier that names no county is
        # dropped rather than making the search fail.
        in_counties = _county_keys().get(fold(qualified["qualifier"]))
        text = qualified["name"]

    key = fold(text)
    if not key:
        return []
    ranked = []
    for m, official, names in _index():
        if in_counties is not None and m.county_number not in in_counties:
            continue
        if key == official or key in names:
            tier = 0
        elif any(name.startswith(key) for name in names):
            tier = 1
        elif any(key in name for name in names):
            tier = 2
        else:
            continue
        # Within a tier the larger municipality is the likelier intent.
        ranked.append((tier, -m.population, m.number, m))
    ranked.sort(key=lambda item: item[:3])
    return [item[3] for item in ranked[:limit]]
