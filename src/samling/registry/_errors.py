"""Validation of municipality and county numbers, with messages fit to show an applicant."""

from __future__ import annotations

import re

from ._load import DISSOLVED_COUNTIES, tables
from ._model import County, Municipality

LANGUAGES = ("nb", "nn", "en")
_ALIASES = {"no": "nb", "nob": "nb", "nno": "nn", "eng": "en"}
_MUNICIPALITY_NUMBER = re.compile(r"[0-9]{4}")
_COUNTY_NUMBER = re.compile(r"[0-9]{2}")
_ECHO_LIMIT = 40


def language(lang: str | None) -> str:
    """``nb``, ``nn`` or ``en`` for a tag such as ``"nn-NO"``; anything else is read as ``nb``."""
    primary = re.split(r"[-_]", (lang or "").strip().lower(), maxsplit=1)[0]
    primary = _ALIASES.get(primary, primary)
    return primary if primary in LANGUAGES else "nb"


def _listing(items: list[str], lang: str) -> str:
    if len(items) == 1:
        return items[0]
    conjunction = " and " if lang == "en" else " og "
    return ", ".join(items[:-1]) + conjunction + items[-1]


def _echo(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 1] + "…"


class UnknownMunicipality(ValueError):
    """A value that is not a 2024 municipality number.

    ``code`` is ``"malformed"``, ``"unknown"`` or ``"renumbered"``; ``message`` is the text in the
    requested language and ``messages`` holds all three; for ``"renumbered"`` ``successors`` lists
    the municipalities that now carry the old number's area.
    """

    def __init__(
        self,
        code: str,
        value: object,
        messages: dict[str, str],
        lang: str = "nb",
        successors: tuple[Municipality, ...] = (),
    ) -> None:
        self.code = code
        self.value = value
        self.messages = messages
        self.lang = language(lang)
        self.message = messages[self.lang]
        self.successors = successors
        super().__init__(self.message)


class UnknownCounty(ValueError):
    """A value that is not a 2024 county number; same attributes as :class:`UnknownMunicipality`."""

    def __init__(
        self,
        code: str,
        value: object,
        messages: dict[str, str],
        lang: str = "nb",
        successors: tuple[County, ...] = (),
    ) -> None:
        self.code = code
        self.value = value
        self.messages = messages
        self.lang = language(lang)
        self.message = messages[self.lang]
        self.successors = successors
        super().__init__(self.message)


def _malformed_municipality(value: object) -> dict[str, str]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return {
            "nb": "Kommunenummer mangler. Oppgi et kommunenummer med fire sifre, for eksempel 0301 for Oslo.",
            "nn": "Kommunenummer manglar. Oppgi eit kommunenummer med fire siffer, til dømes 0301 for Oslo.",
            "en": "The municipality number is missing. Enter a four-digit municipality number, "
            "for example 0301 for Oslo.",
        }
    shown = _echo(value)
    return {
        "nb": f"«{shown}» er ikke et gyldig kommunenummer. Et kommunenummer består av fire sifre, "
        "for eksempel 0301 for Oslo.",
        "nn": f"«{shown}» er ikkje eit gyldig kommunenummer. Eit kommunenummer består av fire siffer, "
        "til dømes 0301 for Oslo.",
        "en": f"“{shown}” is not a valid municipality number. A municipality number has four digits, "
        "for example 0301 for Oslo.",
    }


def _unknown_municipality(number: str) -> dict[str, str]:
    return {
        "nb": f"Det finnes ingen kommune med kommunenummer {number}. Kontroller nummeret og prøv igjen.",
        "nn": f"Det finst ingen kommune med kommunenummer {number}. Kontroller nummeret og prøv igjen.",
        "en": f"There is no municipality with the number {number}. Please check the number and try again.",
    }


def _renumbered_municipality(number: str, old_name: str, new: tuple[Municipality, ...]) -> dict[str, str]:
    lead = {
        "nb": f"{number} {old_name} er et kommunenummer fra før 2024.",
        "nn": f"{number} {old_name} er eit kommunenummer frå før 2024.",
        "en": f"{number} {old_name} is a municipality number from before 2024.",
    }
    if len(new) > 1:
        parts = {lang: _listing([f"{m.number} {m.name}" for m in new], lang) for lang in LANGUAGES}
        rest = {
            "nb": f"Kommunen ble 1. januar 2024 delt i {parts['nb']}. "
            "Velg den kommunen du hører til.",
            "nn": f"Kommunen vart 1. januar 2024 delt i {parts['nn']}. "
            "Vel den kommunen du høyrer til.",
            "en": f"On 1 January 2024 it was split into {parts['en']}. "
            "Please choose the one you belong to.",
        }
    elif new[0].name == old_name:
        m = new[0]
        rest = {
            "nb": f"{m.name} har nå nummer {m.number}.",
            "nn": f"{m.name} har no nummer {m.number}.",
            "en": f"{m.name} now has the number {m.number}.",
        }
    else:
        m = new[0]
        rest = {
            "nb": f"Kommunen heter nå {m.name} og har nummer {m.number}.",
            "nn": f"Kommunen heiter no {m.name} og har nummer {m.number}.",
            "en": f"The municipality is now called {m.name} and has the number {m.number}.",
        }
    return {lang: f"{lead[lang]} {rest[lang]}" for lang in LANGUAGES}


def check_municipality(number: str, lang: str = "nb") -> Municipality:
    """The 2024 municipality with this number, or :class:`UnknownMunicipality` saying what is wrong.

    Surrounding whitespace is ignored. A number from 2020–2023 is rejected with a message that
    names its current number(s); the successors are also on the exception.
    """
    if not isinstance(number, str) or not _MUNICIPALITY_NUMBER.fullmatch(number.strip()):
        raise UnknownMunicipality("malformed", number, _malformed_municipality(number), lang)
    digits = number.strip()
    t = tables()
    found = t.by_number.get(digits)
    if found is not None:
        return found
    old = t.renumbered.get(digits)
    if old is not None:
        new = tuple(t.by_number[n] for n in old.new_numbers)
        messages = _renumbered_municipality(digits, old.old_name, new)
        raise UnknownMunicipality("renumbered", number, messages, lang, new)
    raise UnknownMunicipality("unknown", number, _unknown_municipality(digits), lang)


def check_county(number: str, lang: str = "nb") -> County:
    """The 2024 county with this number, or :class:`UnknownCounty` saying what is wrong."""
    if not isinstance(number, str) or not _COUNTY_NUMBER.fullmatch(number.strip()):
        if number is None or (isinstance(number, str) and not number.strip()):
            messages = {
                "nb": "Fylkesnummer mangler. Oppgi et fylkesnummer med to sifre, for eksempel 03 for Oslo.",
                "nn": "Fylkesnummer manglar. Oppgi eit fylkesnummer med to siffer, til dømes 03 for Oslo.",
                "en": "The county number is missing. Enter a two-digit county number, "
                "for example 03 for Oslo.",
            }
        else:
            shown = _echo(number)
            messages = {
                "nb": f"«{shown}» er ikke et gyldig fylkesnummer. Et fylkesnummer består av to sifre, "
                "for eksempel 03 for Oslo.",
                "nn": f"«{shown}» er ikkje eit gyldig fylkesnummer. Eit fylkesnummer består av to siffer, "
                "til dømes 03 for Oslo.",
                "en": f"“{shown}” is not a valid county number. A county number has two digits, "
                "for example 03 for Oslo.",
            }
        raise UnknownCounty("malformed", number, messages, lang)
    digits = number.strip()
    t = tables()
    found = t.county_by_number.get(digits)
    if found is not None:
        return found
    if digits in t.dissolved_counties:
        new = tuple(t.county_by_number[n] for n in t.dissolved_counties[digits])
        parts = {lang_: _listing([f"{c.number} {c.name}" for c in new], lang_) for lang_ in LANGUAGES}
        old_name = DISSOLVED_COUNTIES[digits]
        messages = {
            "nb": f"{digits} {old_name} er et fylkesnummer fra før 2024. "
            f"Fylket ble 1. januar 2024 delt i {parts['nb']}.",
            "nn": f"{digits} {old_name} er eit fylkesnummer frå før 2024. "
            f"Fylket vart 1. januar 2024 delt i {parts['nn']}.",
            "en": f"{digits} {old_name} is a county number from before 2024. "
            f"On 1 January 2024 it was split into {parts['en']}.",
        }
        raise UnknownCounty("renumbered", number, messages, lang, new)
    messages = {
        "nb": f"Det finnes ikke noe fylke med fylkesnummer {digits}. Kontroller nummeret og prøv igjen.",
        "nn": f"Det finst ikkje noko fylke med fylkesnummer {digits}. Kontroller nummeret og prøv igjen.",
        "en": f"There is no county with the number {digits}. Please check the number and try again.",
    }
    raise UnknownCounty("unknown", number, messages, lang)
