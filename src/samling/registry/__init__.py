"""Norwegian municipalities (kommuner) and counties (fylker) as of 1 January 2024.

Numbers are strings with their leading zeros (``"0301"``, ``"03"``). The packaged data is read on
first use, not at import, so importing this module costs no file I/O.

>>> from samling import registry
>>> registry.municipality("1508").name
'Ålesund'
>>> [m.number for m in registry.successors("1507")]
['1508', '1580']
>>> round(registry.distance_km("0301", "4601"))
305
"""

from __future__ import annotations

import math

from ._errors import LANGUAGES, UnknownCounty, UnknownMunicipality, check_county, check_municipality
from ._load import tables as _tables
from ._model import MEDIUM_BELOW, SIZE_CLASSES, SMALL_BELOW, County, Municipality, size_class_for
from ._search import fold, find

__all__ = [
    "County",
    "LANGUAGES",
    "MEDIUM_BELOW",
    "Municipality",
    "SIZE_CLASSES",
    "SMALL_BELOW",
    "UnknownCounty",
    "UnknownMunicipality",
    "check_county",
    "check_municipality",
    "counties",
    "county",
    "county_municipalities",
    "distance_km",
    "find",
    "fold",
    "municipalities",
    "municipality",
    "size_class",
    "size_class_for",
    "successors",
]

EARTH_RADIUS_KM = 6371.0


def municipalities() -> tuple[Municipality, ...]:
    """All 357 municipalities, sorted by number."""
    return _tables().municipalities


def counties() -> tuple[County, ...]:
    """All 15 counties, sorted by number."""
    return _tables().counties


def municipality(number: str) -> Municipality | None:
    """The municipality with this 2024 number, or ``None`` (also for pre-2024 numbers)."""
    return _tables().by_number.get(number) if isinstance(number, str) else None


def county(number: str) -> County | None:
    """The county with this 2024 number (``"15"``), or ``None``."""
    return _tables().county_by_number.get(number) if isinstance(number, str) else None


def county_municipalities(number: str) -> tuple[Municipality, ...]:
    """The municipalities of a 2024 county, sorted by number; empty for an unknown county."""
    return tuple(m for m in _tables().municipalities if m.county_number == number)


def size_class(number: str) -> str:
    """``"small"``, ``"medium"`` or ``"large"``; raises :class:`UnknownMunicipality`."""
    return check_municipality(number).size_class


def distance_km(a: str, b: str) -> float:
    """Great-circle distance between two municipalities' administrative centres, in km.

    Raises :class:`UnknownMunicipality` (with a Norwegian bokmål message) for a bad number.
    """
    first, second = check_municipality(a), check_municipality(b)
    lat1, lon1, lat2, lon2 = map(math.radians, (first.lat, first.lon, second.lat, second.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def successors(old_number: str) -> tuple[Municipality, ...]:
    """The 2024 municipality or municipalities that a number valid in 2020–2023 now belongs to.

    A number that did not change in 2024 gives its own municipality; a number that was never valid
    in 2020–2024 gives an empty tuple.
    """
    t = _tables()
    if not isinstance(old_number, str):
        return ()
    old = t.renumbered.get(old_number)
    if old is not None:
        return tuple(t.by_number[n] for n in old.new_numbers)
    current = t.by_number.get(old_number)
    return (current,) if current is not None else ()
