"""The two value types of the registry: a municipality and a county, as of 1 January 2024."""

from __future__ import annotations

from dataclasses import dataclass, field

SMALL_BELOW = 5_000
MEDIUM_BELOW = 20_000
SIZE_CLASSES = ("small", "medium", "large")

# Official multilingual names are written with this separator (Kartverket, SSB).
NAME_SEPARATOR = " - "


def size_class_for(population: int) -> str:
    """Size class used in quotas: ``small`` (< 5 000), ``medium`` (< 20 000) or ``large``."""
    if population < SMALL_BELOW:
        return "small"
    if population < MEDIUM_BELOW:
        return "medium"
    return "large"


def _join_official(name: str, parallel_names: tuple[str, ...], name_position: int) -> str:
    parts = list(parallel_names)
    parts.insert(name_position, name)
    return NAME_SEPARATOR.join(parts)


@dataclass(frozen=True)
class County:
    """A county (fylke), e.g. ``County("55", "Troms", ("Romsa", "Tromssa"))``."""

    number: str
    name: str
    parallel_names: tuple[str, ...] = ()
    # Where the Norwegian name stands in the official name; the parallel names keep their order.
    name_position: int = field(default=0, repr=False)

    @property
    def official_name(self) -> str:
        """``"Troms - Romsa - Tromssa"``; just the name when there are no parallel names."""
        return _join_official(self.name, self.parallel_names, self.name_position)

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "name": self.name,
            "official_name": self.official_name,
            "parallel_names": list(self.parallel_names),
        }


@dataclass(frozen=True)
class Municipality:
    """A municipality (kommune) with its population on 1 January 2024 and its administrative centre.

    >>> m = Municipality("5612", "Kautokeino", ("Guovdageaidnu",), "56", "Finnmark",
    ...                  2848, "Kautokeino", 69.0125, 23.0412, name_position=1)
    >>> m.official_name, m.size_class
    ('Guovdageaidnu - Kautokeino', 'small')
    """

    number: str
    name: str
    parallel_names: tuple[str, ...]
    county_number: str
    county_name: str
    population: int
    admin_centre: str
    lat: float
    lon: float
    # Sámi names come first in some official names (5612 "Guovdageaidnu - Kautokeino"), so the
    # Norwegian name's place cannot be inferred; parallel names are stored in official order.
    name_position: int = field(default=0, repr=False)

    @property
    def size_class(self) -> str:
        return size_class_for(self.population)

    @property
    def official_name(self) -> str:
        return _join_official(self.name, self.parallel_names, self.name_position)

    def to_dict(self) -> dict:
        """Plain JSON-ready form, for HTTP answers."""
        return {
            "number": self.number,
            "name": self.name,
            "official_name": self.official_name,
            "parallel_names": list(self.parallel_names),
            "county_number": self.county_number,
            "county_name": self.county_name,
            "population": self.population,
            "size_class": self.size_class,
            "admin_centre": self.admin_centre,
            "lat": self.lat,
            "lon": self.lon,
        }
