"""User-facing wording of the participation certificate, in bokmål, nynorsk and English.

Everything here is plain data and string formatting, so the HTTP layer can reuse the same
wording (for instance in the e-mail that carries the certificate) without loading a PDF library.
"""

from __future__ import annotations

from datetime import date
from typing import Final

LANGUAGES: Final = ("nb", "nn", "en")
DEFAULT_LANGUAGE: Final = "nb"

# Bokmål and nynorsk share the month names.
_MONTHS_NO: Final = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)
_MONTHS_EN: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

EN_DASH: Final = "\u2013"

TEXTS: Final[dict[str, dict[str, str]]] = {
    "nb": {
        "title": "Deltakerbevis",
        "certifies": "Dette bekrefter at",
        "took_part": "har deltatt i",
        "organiser": "Arrangør",
        "hours": "Omfang: {hours} {unit}",
        "hour_one": "time",
        "hour_many": "timer",
        "issued": "Utstedt {date}",
        "number": "Bevisnummer",
        "code": "Kontrollkode",
        "verify": "Du kan kontrollere at beviset er ekte ved å skanne QR-koden eller gå til",
        "municipality": "{name} kommune",
        "municipality_suffix": "kommune",
        "document_title": "Deltakerbevis for {name}",
    },
    "nn": {
        "title": "Deltakarbevis",
        "certifies": "Dette stadfestar at",
        "took_part": "har delteke i",
        "organiser": "Arrangør",
        "hours": "Omfang: {hours} {unit}",
        "hour_one": "time",
        "hour_many": "timar",
        "issued": "Utferda {date}",
        "number": "Bevisnummer",
        "code": "Kontrollkode",
        "verify": "Du kan kontrollere at beviset er ekte ved å skanne QR-koden eller gå til",
        "municipality": "{name} kommune",
        "municipality_suffix": "kommune",
        "document_title": "Deltakarbevis for {name}",
    },
    "en": {
        "title": "Certificate of participation",
        "certifies": "This is to certify that",
        "took_part": "has taken part in",
        "organiser": "Organiser",
        "hours": "Duration: {hours} {unit}",
        "hour_one": "hour",
        "hour_many": "hours",
        "issued": "Issued on {date}",
        "number": "Certificate number",
        "code": "Verification code",
        "verify": "To check that this certificate is genuine, scan the QR code or go to",
        "municipality": "{name} Municipality",
        "municipality_suffix": "municipality",
        "document_title": "Certificate of participation for {name}",
    },
}


def normalise_lang(lang: str | None) -> str:
    """Map `nb`, `nn`, `en` (and forms like `en-GB`, `no`, `nob`) to a supported language.

    Unknown or missing languages fall back to bokmål, the events' usual first language, so a
    certificate is always produced rather than refused over a language tag.
    """
    if not lang:
        return DEFAULT_LANGUAGE
    tag = lang.strip().lower().replace("_", "-").split("-")[0]
    aliases = {"no": "nb", "nob": "nb", "nno": "nn", "eng": "en"}
    tag = aliases.get(tag, tag)
    return tag if tag in TEXTS else DEFAULT_LANGUAGE


def text(lang: str | None, key: str) -> str:
    return TEXTS[normalise_lang(lang)][key]


def format_date(d: date, lang: str | None) -> str:
    """`8. oktober 2021` (nb/nn) or `8 October 2021` (en)."""
    lang = normalise_lang(lang)
    if lang == "en":
        return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
    return f"{d.day}. {_MONTHS_NO[d.month - 1]} {d.year}"


def format_date_range(first: date, last: date, lang: str | None) -> str:
    """A date range written the way a Norwegian public body writes it.

    nb/nn: `22. september 2021`, `22.–30. september 2021`, `30. september – 2. oktober 2021`,
    `30. desember 2021 – 2. januar 2022`. en: `22 September 2021`, `22 – 30 September 2021`,
    `30 September – 2 October 2021`, `30 December 2021 – 2 January 2022`.
    """
    if last < first:
        first, last = last, first
    lang = normalise_lang(lang)
    if first == last:
        return format_date(first, lang)
    if lang == "en":
        months = _MONTHS_EN
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day} {EN_DASH} {last.day} {months[last.month - 1]} {last.year}"
        if first.year == last.year:
            return (f"{first.day} {months[first.month - 1]} {EN_DASH} "
                    f"{last.day} {months[last.month - 1]} {last.year}")
        return f"{format_date(first, lang)} {EN_DASH} {format_date(last, lang)}"
    months = _MONTHS_NO
    if (first.year, first.month) == (last.year, last.month):
        # The closed-up dash is the Norwegian norm when only the day numbers differ.
        return f"{first.day}.{EN_DASH}{last.day}. {months[last.month - 1]} {last.year}"
    if first.year == last.year:
        return (f"{first.day}. {months[first.month - 1]} {EN_DASH} "
                f"{last.day}. {months[last.month - 1]} {last.year}")
    return f"{format_date(first, lang)} {EN_DASH} {format_date(last, lang)}"


def format_hours(hours: int | float, lang: str | None) -> str:
    """`Omfang: 16 timer`, `Omfang: 7,5 timar`, `Duration: 1 hour`."""
    lang = normalise_lang(lang)
    value = float(hours)
    if value.is_integer():
        number = str(int(value))
    else:
        number = f"{value:.2f}".rstrip("0").rstrip(".")
        if lang != "en":
            number = number.replace(".", ",")
    unit = TEXTS[lang]["hour_one"] if value == 1 else TEXTS[lang]["hour_many"]
    return TEXTS[lang]["hours"].format(hours=number, unit=unit)


def format_municipality(name: str, lang: str | None) -> str:
    """`Ålesund` → `Ålesund kommune` / `Ålesund Municipality`; a name that already says it is
    a municipality is left as given, so callers may pass either form."""
    lang = normalise_lang(lang)
    name = " ".join(name.split())
    if name.lower().endswith(TEXTS[lang]["municipality_suffix"]) or name.lower().endswith("kommune"):
        return name
    return TEXTS[lang]["municipality"].format(name=name)
