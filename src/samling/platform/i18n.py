"""Which language a person is answered in, and the texts every service shares."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

LANGUAGES = ("nb", "nn", "en")

_GENERIC = {
    "bad_request": {"nb": "Forespørselen kunne ikke leses. Send gyldig JSON.",
                    "nn": "Førespurnaden kunne ikkje lesast. Send gyldig JSON.",
                    "en": "The request could not be read. Send valid JSON."},
    "unauthorized": {"nb": "Du må logge inn som arrangør for å gjøre dette.",
                     "nn": "Du må logge inn som arrangør for å gjere dette.",
                     "en": "You must sign in as an organiser to do this."},
    "forbidden": {"nb": "Du har ikke tilgang til dette.", "nn": "Du har ikkje tilgang til dette.",
                  "en": "You do not have access to this."},
    "not_found": {"nb": "Fant ikke det du ba om.", "nn": "Fann ikkje det du bad om.",
                  "en": "What you asked for was not found."},
    "method_not_allowed": {"nb": "Denne metoden er ikke tillatt her.",
                           "nn": "Denne metoden er ikkje tillaten her.",
                           "en": "This method is not allowed here."},
    "unsupported_media_type": {"nb": "Innholdstypen støttes ikke. Send JSON.",
                               "nn": "Innhaldstypen er ikkje støtta. Send JSON.",
                               "en": "Unsupported content type. Send JSON."},
    "validation_error": {"nb": "Noen felt må rettes.", "nn": "Nokre felt må rettast.",
                         "en": "Some fields need correcting."},
    "payload_too_large": {"nb": "Forespørselen er for stor (over 64 KiB).",
                          "nn": "Førespurnaden er for stor (over 64 KiB).",
                          "en": "The request is too large (over 64 KiB)."},
    "state_conflict": {"nb": "Dette kan ikke gjøres nå.", "nn": "Dette kan ikkje gjerast no.",
                       "en": "This cannot be done now."},
    "internal": {"nb": "Noe gikk galt hos oss. Prøv igjen om litt.",
                 "nn": "Noko gjekk gale hos oss. Prøv igjen om litt.",
                 "en": "Something went wrong on our side. Please try again shortly."},
}


def generic(code: str, lang: str) -> str:
    texts = _GENERIC.get(code) or _GENERIC["state_conflict"]
    return texts.get(lang) or texts["nb"]


def negotiate(*, explicit: str | None = None, query: str | None = None,
              accept_language: str | None = None, available: Iterable[str] = LANGUAGES) -> str:
    """Applicant's language, else ``?lang=``, else Accept-Language, else the first available."""
    available = [lang for lang in available if lang in LANGUAGES] or list(LANGUAGES)
    for choice in (explicit, query):
        if choice in LANGUAGES:
            return choice
    for tag in _accept_languages(accept_language):
        if tag in LANGUAGES:
            return tag
        if tag == "no":
            return "nb"
    return available[0]


def _accept_languages(header: str | None) -> list[str]:
    if not header:
        return []
    weighted = []
    for index, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower().split("-")[0]
        quality = 1.0
        for p in pieces[1:]:
            if p.strip().startswith("q="):
                try:
                    quality = float(p.strip()[2:])
                except ValueError:
                    quality = 0.0
        if tag:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def pick(texts: Mapping[str, str] | None, lang: str, fallback: Iterable[str] = LANGUAGES) -> str:
    """A text in ``lang`` from a {lang: text} map, else the first one present."""
    if not texts:
        return ""
    if texts.get(lang):
        return texts[lang]
    for other in (*fallback, *texts):
        if texts.get(other):
            return texts[other]
    return ""


def event_title(event: Mapping, lang: str) -> str:
    """An event configuration's title in ``lang``, else in its own languages, else its id."""
    return pick(event.get("title"), lang, event.get("languages") or LANGUAGES) or event["id"]
