"""User-facing texts for contributions, the programme and the award, in nb, nn and en.

    >>> text("too_long", "nn", max=200)
    'Teksten kan vere på høgst 200 teikn.'

An unknown language falls back to bokmål; an unknown key is a programming error (KeyError).
"""

from __future__ import annotations

LANGUAGES = ("nb", "nn", "en")
FALLBACK = "nb"

MESSAGES: dict[str, dict[str, str]] = {
    # Generic field checks
    "body_not_object": {
        "nb": "Innholdet må være et JSON-objekt.",
        "nn": "Innhaldet må vere eit JSON-objekt.",
        "en": "The body must be a JSON object.",
    },
    "required": {
        "nb": "Feltet må fylles ut.",
        "nn": "Feltet må fyllast ut.",
        "en": "This field is required.",
    },
    "not_text": {
        "nb": "Feltet må være tekst.",
        "nn": "Feltet må vere tekst.",
        "en": "This field must be text.",
    },
    "too_long": {
        "nb": "Teksten kan være på høyst {max} tegn.",
        "nn": "Teksten kan vere på høgst {max} teikn.",
        "en": "The text can be at most {max} characters long.",
    },
    "unknown_choice": {
        "nb": "Velg en av disse: {choices}.",
        "nn": "Vel ein av desse: {choices}.",
        "en": "Choose one of: {choices}.",
    },
    "email_invalid": {
        "nb": "Skriv inn en gyldig e-postadresse.",
        "nn": "Skriv inn ei gyldig e-postadresse.",
        "en": "Enter a valid email address.",
    },
    "not_object": {
        "nb": "Feltet må være et objekt.",
        "nn": "Feltet må vere eit objekt.",
        "en": "This field must be an object.",
    },
    "municipality_format": {
        "nb": "Oppgi kommunenummeret med fire siffer, for eksempel 4204.",
        "nn": "Oppgi kommunenummeret med fire siffer, til dømes 4204.",
        "en": "Give the municipality number as four digits, for example 4204.",
    },
    # Contributions
    "themes_not_list": {
        "nb": "Temaene må oppgis som en liste.",
        "nn": "Temaa må oppgjevast som ei liste.",
        "en": "Themes must be given as a list.",
    },
    "unknown_theme": {
        "nb": "Ukjent tema: {theme}.",
        "nn": "Ukjent tema: {theme}.",
        "en": "Unknown theme: {theme}.",
    },
    "no_themes_available": {
        "nb": "Dette arrangementet har ingen temaer å velge mellom.",
        "nn": "Dette arrangementet har ingen tema å velje mellom.",
        "en": "This event has no themes to choose from.",
    },
    "presenters_not_list": {
        "nb": "Innlederne må oppgis som en liste.",
        "nn": "Innleiarane må oppgjevast som ei liste.",
        "en": "Presenters must be given as a list.",
    },
    "presenters_too_many": {
        "nb": "Et bidrag kan ha høyst {max} innledere.",
        "nn": "Eit bidrag kan ha høgst {max} innleiarar.",
        "en": "A contribution can have at most {max} presenters.",
    },
    "presenter_not_object": {
        "nb": "Innleder nr. {n} må ha navn og e-postadresse.",
        "nn": "Innleiar nr. {n} må ha namn og e-postadresse.",
        "en": "Presenter no. {n} needs a name and an email address.",
    },
    "presenter_name_missing": {
        "nb": "Innleder nr. {n} mangler navn.",
        "nn": "Innleiar nr. {n} manglar namn.",
        "en": "Presenter no. {n} has no name.",
    },
    "presenter_name_too_long": {
        "nb": "Navnet til innleder nr. {n} kan være på høyst {max} tegn.",
        "nn": "Namnet til innleiar nr. {n} kan vere på høgst {max} teikn.",
        "en": "The name of presenter no. {n} can be at most {max} characters long.",
    },
    "presenter_email_invalid": {
        "nb": "Innleder nr. {n} har ikke en gyldig e-postadresse.",
        "nn": "Innleiar nr. {n} har ikkje ei gyldig e-postadresse.",
        "en": "Presenter no. {n} does not have a valid email address.",
    },
    "decision_status": {
        "nb": "Velg «accepted» (godtatt) eller «rejected» (avslått).",
        "nn": "Vel «accepted» (godteke) eller «rejected» (avslått).",
        "en": "Choose “accepted” or “rejected”.",
    },
    "unknown_session": {
        "nb": "Ukjent økt: {session}.",
        "nn": "Ukjend økt: {session}.",
        "en": "Unknown session: {session}.",
    },
    "session_only_when_accepted": {
        "nb": "Bare et godtatt bidrag kan plasseres i en økt.",
        "nn": "Berre eit godteke bidrag kan plasserast i ei økt.",
        "en": "Only an accepted contribution can be placed in a session.",
    },
    # Programme: reasons a contribution was left out, and warnings about fixed placements
    "unplaced.no_free_slot": {
        "nb": "Det er ingen ledige plasser i programmet.",
        "nn": "Det er ingen ledige plassar i programmet.",
        "en": "There are no free slots left in the programme.",
    },
    "unplaced.presenter_conflict": {
        "nb": "En innleder er allerede med i en økt på samme tid som de ledige plassene.",
        "nn": "Ein innleiar er alt med i ei økt på same tid som dei ledige plassane.",
        "en": "A presenter is already in a session at the same time as the free slots.",
    },
    "unplaced.no_session_for_format": {
        "nb": "Ingen økt i programmet tar imot bidrag i denne formen.",
        "nn": "Inga økt i programmet tek imot bidrag i denne forma.",
        "en": "No session in the programme takes contributions in this format.",
    },
    "unplaced.unknown_session": {
        "nb": "Bidraget er satt til en økt som ikke finnes lenger.",
        "nn": "Bidraget er sett til ei økt som ikkje finst lenger.",
        "en": "The contribution is fixed to a session that no longer exists.",
    },
    "warning.over_capacity": {
        "nb": "Økta {session} har {placed} faste bidrag, men bare {slots} plasser.",
        "nn": "Økta {session} har {placed} faste bidrag, men berre {slots} plassar.",
        "en": "Session {session} has {placed} fixed contributions but only {slots} slots.",
    },
    "warning.presenter_conflict": {
        "nb": "De faste bidragene {first} og {second} har en felles innleder i økter som overlapper.",
        "nn": "Dei faste bidraga {first} og {second} har ein felles innleiar i økter som overlappar.",
        "en": "The fixed contributions {first} and {second} share a presenter in overlapping sessions.",
    },
    # Award
    "scores_not_object": {
        "nb": "Poengene må oppgis som et objekt med ett tall per kriterium.",
        "nn": "Poenga må oppgjevast som eit objekt med eitt tal per kriterium.",
        "en": "Scores must be an object with one number per criterion.",
    },
    "score_required": {
        "nb": "Gi poeng for dette kriteriet.",
        "nn": "Gi poeng for dette kriteriet.",
        "en": "Score this criterion.",
    },
    "score_range": {
        "nb": "Poengene må være et helt tall fra {low} til {high}.",
        "nn": "Poenga må vere eit heilt tal frå {low} til {high}.",
        "en": "The score must be a whole number from {low} to {high}.",
    },
    "score_unknown_criterion": {
        "nb": "Ukjent kriterium.",
        "nn": "Ukjent kriterium.",
        "en": "Unknown criterion.",
    },
    "nomination_neither": {
        "nb": "Oppgi enten et bidrag eller en kandidat.",
        "nn": "Oppgi anten eit bidrag eller ein kandidat.",
        "en": "Give either a contribution or a nominee.",
    },
    "nomination_both": {
        "nb": "Oppgi bare ett av dem: et bidrag eller en kandidat.",
        "nn": "Oppgi berre eitt av dei: eit bidrag eller ein kandidat.",
        "en": "Give only one of them: a contribution or a nominee.",
    },
}


def text(key: str, lang: str | None, **params: object) -> str:
    """The message `key` in `lang` (falling back to bokmål), with `params` filled in."""
    variants = MESSAGES[key]
    template = variants.get(lang or FALLBACK) or variants[FALLBACK]
    return template.format(**params) if params else template
