"""The 2024 municipality and county registry: data integrity, lookups, search and messages."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samling import registry
from samling.registry import County, Municipality, UnknownCounty, UnknownMunicipality


def _municipality(population: int, **changes) -> Municipality:
    base = Municipality(
        number="9001", name="Testvik", parallel_names=(), county_number="90", county_name="Testfylke",
        population=population, admin_centre="Testvik", lat=60.0, lon=10.0,
    )
    return dataclasses.replace(base, **changes)


# --- the data as a whole ---------------------------------------------------------------------

def test_counts():
    assert len(registry.municipalities()) == 357
    assert len(registry.counties()) == 15


def test_sorted_and_unique_numbers():
    numbers = [m.number for m in registry.municipalities()]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == len(numbers)
    assert all(len(n) == 4 and n.isdigit() for n in numbers)
    county_numbers = [c.number for c in registry.counties()]
    assert county_numbers == sorted(county_numbers) and len(set(county_numbers)) == 15


def test_every_municipality_belongs_to_an_existing_county_named_alike():
    for m in registry.municipalities():
        c = registry.county(m.county_number)
        assert c is not None, m
        assert m.number[:2] == m.county_number == c.number
        assert m.county_name == c.name


def test_every_county_has_municipalities():
    for c in registry.counties():
        assert registry.county_municipalities(c.number)
    assert registry.county_municipalities("30") == ()


def test_population_total_1_january_2024():
    assert sum(m.population for m in registry.municipalities()) == 5_550_203


def test_coordinates_lie_in_norway():
    for m in registry.municipalities():
        assert 57.9 <= m.lat <= 71.2 and 4.5 <= m.lon <= 31.2, m


@pytest.mark.parametrize(
    "number, name, county_number, county_name",
    [
        ("0301", "Oslo", "03", "Oslo"),
        ("1508", "Ålesund", "15", "Møre og Romsdal"),
        ("1580", "Haram", "15", "Møre og Romsdal"),
        ("4601", "Bergen", "46", "Vestland"),
        ("5001", "Trondheim", "50", "Trøndelag"),
        ("5501", "Tromsø", "55", "Troms"),
        ("5601", "Alta", "56", "Finnmark"),
        ("3301", "Drammen", "33", "Buskerud"),
        ("1804", "Bodø", "18", "Nordland"),
    ],
)
def test_known_municipalities(number, name, county_number, county_name):
    m = registry.municipality(number)
    assert m is not None
    assert (m.name, m.county_number, m.county_name) == (name, county_number, county_name)


def test_kautokeino_carries_its_sami_name_first():
    m = registry.municipality("5612")
    assert m.name == "Kautokeino"
    assert m.parallel_names == ("Guovdageaidnu",)
    assert m.official_name == "Guovdageaidnu - Kautokeino"


OFFICIAL_NAMES = {
    "1826": "Aarborte - Hattfjelldal", "1841": "Fauske - Fuossko", "1853": "Evenes - Evenášši",
    "1870": "Sortland - Suortá", "1875": "Hábmer - Hamarøy", "5001": "Trondheim - Tråante",
    "5007": "Namsos - Nåavmesjenjaelmie", "5025": "Rosse - Røros", "5041": "Snåase - Snåsa",
    "5043": "Raarvihke - Røyrvik", "5503": "Harstad - Hárstták", "5512": "Dielddanuorri - Tjeldsund",
    "5518": "Loabák - Lavangen", "5538": "Storfjord - Omasvuotna - Omasvuono",
    "5540": "Gáivuotna - Kåfjord - Kaivuono", "5544": "Nordreisa - Ráisa - Raisi",
    "5603": "Hammerfest - Hámmerfeasta", "5610": "Kárášjohka - Karasjok",
    "5612": "Guovdageaidnu - Kautokeino", "5622": "Porsanger - Porsáŋgu - Porsanki",
    "5628": "Deatnu - Tana", "5636": "Unjárga - Nesseby",
}


def test_official_names_of_all_multilingual_municipalities():
    with_parallel = {m.number: m.official_name for m in registry.municipalities() if m.parallel_names}
    assert with_parallel == OFFICIAL_NAMES


def test_official_name_is_the_name_when_there_are_no_parallel_names():
    assert registry.municipality("0301").official_name == "Oslo"
    # Tromsø had no parallel name on 1 January 2024; "Romsa - Tromssa" belongs to the county.
    assert registry.municipality("5501").official_name == "Tromsø"


def test_county_parallel_names():
    assert registry.county("55").official_name == "Troms - Romsa - Tromssa"
    assert registry.county("56").parallel_names == ("Finnmárku", "Finmarkku")
    assert registry.county("18").official_name == "Nordland - Nordlánnda"
    assert registry.county("15") == County("15", "Møre og Romsdal", ())
    assert [c.number for c in registry.counties() if c.parallel_names] == ["18", "50", "55", "56"]


@pytest.mark.parametrize("name, numbers", [("Herøy", {"1515", "1818"}), ("Våler", {"3114", "3419"})])
def test_duplicate_names_live_in_different_counties(name, numbers):
    same = [m for m in registry.municipalities() if m.name == name]
    assert {m.number for m in same} == numbers
    assert len({m.county_number for m in same}) == 2
    found = [m for m in registry.find(name) if m.name == name]
    assert {m.number for m in found} == numbers
    assert registry.find(name)[:2] == sorted(found, key=lambda m: -m.population)


def test_lookups_of_unknown_numbers_give_none():
    assert registry.municipality("3005") is None
    assert registry.municipality("301") is None
    assert registry.municipality(301) is None
    assert registry.county("30") is None
    assert registry.county("3") is None


def test_results_are_cached_and_immutable():
    assert registry.municipalities() is registry.municipalities()
    with pytest.raises(dataclasses.FrozenInstanceError):
        registry.municipality("0301").population = 1


def test_to_dict_is_plain_data():
    d = registry.municipality("5612").to_dict()
    assert d == {
        "number": "5612", "name": "Kautokeino", "official_name": "Guovdageaidnu - Kautokeino",
        "parallel_names": ["Guovdageaidnu"], "county_number": "56", "county_name": "Finnmark",
        "population": d["population"], "size_class": "small", "admin_centre": "Kautokeino",
        "lat": 69.0125, "lon": 23.0412,
    }
    assert d["population"] == registry.municipality("5612").population
    assert registry.county("56").to_dict()["official_name"] == "Finnmark - Finnmárku - Finmarkku"


# --- size classes ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "population, expected",
    [(0, "small"), (4_999, "small"), (5_000, "medium"), (19_999, "medium"), (20_000, "large"),
     (717_710, "large")],
)
def test_size_class_boundaries(population, expected):
    assert _municipality(population).size_class == expected
    assert registry.size_class_for(population) == expected


def test_size_class_by_number_follows_population():
    for m in registry.municipalities():
        assert registry.size_class(m.number) == m.size_class
    assert registry.size_class("0301") == "large"
    assert registry.size_class("5043") == "small"  # Røyrvik
    counts = {c: sum(m.size_class == c for m in registry.municipalities()) for c in registry.SIZE_CLASSES}
    assert all(counts.values()) and sum(counts.values()) == 357


def test_size_class_of_unknown_number_raises():
    with pytest.raises(UnknownMunicipality):
        registry.size_class("3005")


# --- distances -------------------------------------------------------------------------------

def test_oslo_bergen():
    assert registry.distance_km("0301", "4601") == pytest.approx(305, rel=0.10)


def test_alesund_kristiansund_is_about_107_km_between_town_centres():
    assert registry.distance_km("1508", "1505") == pytest.approx(107, rel=0.10)


def test_distance_to_self_is_zero_and_symmetric():
    assert registry.distance_km("0301", "0301") == 0.0
    assert registry.distance_km("5601", "4204") == pytest.approx(registry.distance_km("4204", "5601"))


def test_longest_distance_is_plausible():
    # Kristiansand to Vardø spans the country: about 1 740 km, far from half the globe.
    assert 1_650 < registry.distance_km("4204", "5634") < 1_850


def test_distance_rejects_old_numbers():
    with pytest.raises(UnknownMunicipality) as caught:
        registry.distance_km("0301", "3005")
    assert caught.value.code == "renumbered"


# --- search ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "query, number",
    [
        ("Ålesund", "1508"), ("Aalesund", "1508"), ("alesund", "1508"), ("ÅLESUND", "1508"),
        ("Tromsø", "5501"), ("Tromso", "5501"), ("Tromsoe", "5501"), ("tromsö", "5501"),
        ("baerum", "3201"), ("Bærum", "3201"), ("barum", "3201"),
        ("Kautokeino", "5612"), ("Guovdageaidnu", "5612"), ("guovdageaidnu - kautokeino", "5612"),
        ("Karasjok", "5610"), ("Kárášjohka", "5610"), ("karasjohka", "5610"),
        ("Porsáŋgu", "5622"), ("porsangu", "5622"),
        ("nord fron", "3436"), ("Nord-Fron", "3436"), ("  oslo ", "0301"),
        ("0301", "0301"), ("0301 Oslo", "0301"), ("3005", "3301"),
    ],
)
def test_find_first_hit(query, number):
    hits = registry.find(query)
    assert hits and hits[0].number == number


def test_find_ranks_exact_then_prefix_then_substring():
    names = [m.name for m in registry.find("Os", limit=50)]
    assert names[0] == "Os"
    assert names.index("Oslo") < names.index("Moss")  # prefix before substring
    assert "Osen" in names and "Voss" in names


def test_find_number_prefix_and_old_split():
    assert {m.county_number for m in registry.find("46", limit=100)} == {"46"}
    assert len(registry.find("46", limit=100)) == len(registry.county_municipalities("46"))
    assert [m.number for m in registry.find("1507")] == ["1508", "1580"]


def test_find_with_county_qualifier():
    assert [m.number for m in registry.find("Herøy (Nordland)")] == ["1818"]
    assert [m.number for m in registry.find("Herøy (Møre og Romsdal)")] == ["1515"]
    assert [m.number for m in registry.find("Våler (Innlandet)")] == ["3419"]
    # SSB's 2020-2023 qualifier points to the county that took over.
    assert registry.find("Våler (Viken)")[0].number == "3114"
    assert "3419" not in {m.number for m in registry.find("Våler (Viken)")}


def test_find_limit_and_nothing():
    assert len(registry.find("a", limit=3)) == 3
    assert registry.find("a", limit=0) == []
    assert registry.find("") == []
    assert registry.find("   ") == []
    assert registry.find("Xyzzyville") == []
    assert registry.find("9999") == []


def _ascii_spelling(name: str) -> str:
    return name.replace("æ", "ae").replace("Æ", "Ae").replace("ø", "o").replace("Ø", "O") \
        .replace("å", "aa").replace("Å", "Aa")


def test_every_municipality_is_found_by_name_and_ascii_spelling():
    for m in registry.municipalities():
        for query in (m.name, _ascii_spelling(m.name).lower(), m.name.upper(), *m.parallel_names):
            hits = registry.find(query, limit=5)
            assert m in hits, (query, m.number)
            assert registry.fold(hits[0].name) == registry.fold(m.name) or query in m.parallel_names \
                or any(registry.fold(query) == registry.fold(p) for p in hits[0].parallel_names)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.integers(min_value=-1, max_value=20))
def test_find_never_fails(query, limit):
    hits = registry.find(query, limit)
    assert len(hits) <= max(limit, 0)
    assert all(isinstance(m, Municipality) for m in hits)


# --- renumbering -----------------------------------------------------------------------------

def test_successors_of_split_alesund():
    assert [(m.number, m.name) for m in registry.successors("1507")] == [("1508", "Ålesund"), ("1580", "Haram")]


@pytest.mark.parametrize(
    "old, new", [("3005", "3301"), ("5401", "5501"), ("3018", "3114"), ("3801", "3901"), ("5403", "5601"), ("5444", "5605")]
)
def test_successors_of_renumbered(old, new):
    assert [m.number for m in registry.successors(old)] == [new]


def test_successors_of_unchanged_and_unknown_numbers():
    assert registry.successors("0301") == (registry.municipality("0301"),)
    assert registry.successors("9999") == ()
    assert registry.successors("1504") == ()  # pre-2020 Ålesund is out of scope


def test_renumbering_table_is_complete():
    lines = resources.files("samling.registry").joinpath("data", "renumbered_2020_2024.csv") \
        .read_text(encoding="utf-8").splitlines()[1:]
    old_numbers = {line.split(",")[0] for line in lines}
    assert len(lines) == 115 and len(old_numbers) == 114
    for old in old_numbers:
        assert registry.municipality(old) is None
        assert registry.successors(old)
        assert old[:2] in {"30", "38", "54"} or old == "1507"


# --- validation messages ---------------------------------------------------------------------

MESSAGES = {
    "3005": {
        "nb": "3005 Drammen er et kommunenummer fra før 2024. Drammen har nå nummer 3301.",
        "nn": "3005 Drammen er eit kommunenummer frå før 2024. Drammen har no nummer 3301.",
        "en": "3005 Drammen is a municipality number from before 2024. Drammen now has the number 3301.",
    },
    "5401": {
        "nb": "5401 Tromsø er et kommunenummer fra før 2024. Tromsø har nå nummer 5501.",
        "nn": "5401 Tromsø er eit kommunenummer frå før 2024. Tromsø har no nummer 5501.",
        "en": "5401 Tromsø is a municipality number from before 2024. Tromsø now has the number 5501.",
    },
    "1507": {
        "nb": "1507 Ålesund er et kommunenummer fra før 2024. Kommunen ble 1. januar 2024 delt i "
        "1508 Ålesund og 1580 Haram. Velg den kommunen du hører til.",
        "nn": "1507 Ålesund er eit kommunenummer frå før 2024. Kommunen vart 1. januar 2024 delt i "
        "1508 Ålesund og 1580 Haram. Vel den kommunen du høyrer til.",
        "en": "1507 Ålesund is a municipality number from before 2024. On 1 January 2024 it was split "
        "into 1508 Ålesund and 1580 Haram. Please choose the one you belong to.",
    },
    "12": {
        "nb": "«12» er ikke et gyldig kommunenummer. Et kommunenummer består av fire sifre, "
        "for eksempel 0301 for Oslo.",
        "nn": "«12» er ikkje eit gyldig kommunenummer. Eit kommunenummer består av fire siffer, "
        "til dømes 0301 for Oslo.",
        "en": "“12” is not a valid municipality number. A municipality number has four digits, "
        "for example 0301 for Oslo.",
    },
    "9999": {
        "nb": "Det finnes ingen kommune med kommunenummer 9999. Kontroller nummeret og prøv igjen.",
        "nn": "Det finst ingen kommune med kommunenummer 9999. Kontroller nummeret og prøv igjen.",
        "en": "There is no municipality with the number 9999. Please check the number and try again.",
    },
}
CODES = {"3005": "renumbered", "5401": "renumbered", "1507": "renumbered", "12": "malformed", "9999": "unknown"}


@pytest.mark.parametrize("number", sorted(MESSAGES))
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_check_municipality_messages(number, lang):
    with pytest.raises(UnknownMunicipality) as caught:
        registry.check_municipality(number, lang)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.message == MESSAGES[number][lang] == str(error)
    assert error.messages == MESSAGES[number]
    assert error.code == CODES[number]
    assert error.value == number and error.lang == lang


def test_renumbered_error_carries_successors():
    with pytest.raises(UnknownMunicipality) as caught:
        registry.check_municipality("1507")
    assert [m.number for m in caught.value.successors] == ["1508", "1580"]


@pytest.mark.parametrize("value", ["", "   ", None, 301, "030", "03011", "03O1", "０３０１", "0301x", "-301"])
def test_malformed_values(value):
    with pytest.raises(UnknownMunicipality) as caught:
        registry.check_municipality(value, "en")
    assert caught.value.code == "malformed"
    assert "four" in caught.value.message


def test_long_malformed_values_are_shortened_in_the_message():
    with pytest.raises(UnknownMunicipality) as caught:
        registry.check_municipality("x" * 500)
    assert len(caught.value.message) < 200


def test_check_municipality_accepts_current_numbers():
    assert registry.check_municipality("0301").name == "Oslo"
    assert registry.check_municipality(" 5612 ").number == "5612"


@pytest.mark.parametrize("tag, expected", [("nn-NO", "nn"), ("EN", "en"), ("no", "nb"), ("de", "nb"), ("", "nb")])
def test_language_tags(tag, expected):
    with pytest.raises(UnknownMunicipality) as caught:
        registry.check_municipality("9999", tag)
    assert caught.value.message == MESSAGES["9999"][expected]


def test_check_county():
    assert registry.check_county("15").name == "Møre og Romsdal"
    with pytest.raises(UnknownCounty) as caught:
        registry.check_county("30", "nb")
    assert caught.value.code == "renumbered"
    assert caught.value.message == (
        "30 Viken er et fylkesnummer fra før 2024. Fylket ble 1. januar 2024 delt i "
        "31 Østfold, 32 Akershus og 33 Buskerud."
    )
    assert [c.number for c in caught.value.successors] == ["31", "32", "33"]
    with pytest.raises(UnknownCounty) as caught:
        registry.check_county("54", "en")
    assert caught.value.message.endswith("split into 55 Troms and 56 Finnmark.")
    with pytest.raises(UnknownCounty) as caught:
        registry.check_county("99", "nn")
    assert caught.value.code == "unknown" and "99" in caught.value.message
    with pytest.raises(UnknownCounty) as caught:
        registry.check_county("3")
    assert caught.value.code == "malformed"


# --- packaging -------------------------------------------------------------------------------

def test_import_reads_no_data_until_first_use():
    script = textwrap.dedent(
        """
        import sys
        opened = []
        sys.addaudithook(lambda event, args: event == "open" and opened.append(str(args[0])))
        import samling.registry as registry
        def data_files():
            return [p for p in opened if p.endswith((".csv", ".md"))]
        assert data_files() == [], data_files()
        registry.municipality("0301")
        assert any(p.endswith("kommuner.csv") for p in data_files()), data_files()
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_data_readme_keeps_attribution_and_licences():
    readme = resources.files("samling.registry").joinpath("data", "README.md").read_text(encoding="utf-8")
    assert readme.count("Permission is hereby granted, free of charge") == 2
    assert "Copyright (c) 2025 Alexander Prestmo" in readme
    assert "Copyright (c) 2024 Dan Stoffels" in readme
    assert "> Contains data from Kartverket (© Kartverket, CC BY 4.0)." in readme
    assert "1 January 2024" in readme
