"""Texts the registration use cases need beyond the form's own messages."""
from __future__ import annotations

from samling.registration import messages

_TEXTS = {
    "email.taken": {"nb": "Denne e-postadressen er allerede brukt i en annen påmelding til arrangementet.",
                    "nn": "Denne e-postadressa er allereie brukt i ei anna påmelding til arrangementet.",
                    "en": "This email address is already used by another application to this event."},
    "offer.accept_required": {"nb": "Svar med «accept»: true for å takke ja eller false for å takke nei.",
                              "nn": "Svar med «accept»: true for å takke ja eller false for å takke nei.",
                              "en": "Answer with \"accept\": true to accept or false to decline."},
    "edit.nothing": {"nb": "Ingenting å endre: oppgi minst ett av feltene i påmeldingen.",
                     "nn": "Ingenting å endre: oppgi minst eitt av felta i påmeldinga.",
                     "en": "Nothing to change: give at least one of the application's fields."},
    "review.score": {"nb": "Gi en poengsum fra 1 til 5.", "nn": "Gje ein poengsum frå 1 til 5.",
                     "en": "Give a score from 1 to 5."},
    "review.note": {"nb": "Notatet må være tekst på høyst 5 000 tegn, uten kontrolltegn.",
                    "nn": "Notatet må vere tekst på høgst 5 000 teikn, utan kontrollteikn.",
                    "en": "The note must be text of at most 5,000 characters, without control characters."},
    "invitees.required": {"nb": "Oppgi minst én invitert med e-postadresse og kommunenummer.",
                          "nn": "Oppgi minst éin invitert med e-postadresse og kommunenummer.",
                          "en": "Give at least one invitee with an email address and municipality number."},
    "selection.before_deadline": {"nb": "Utvelgingen kan først gjøres etter påmeldingsfristen.",
                                  "nn": "Utveljinga kan først gjerast etter påmeldingsfristen.",
                                  "en": "Selection can only be made after the registration deadline."},
    "selection.not_application": {"nb": "Dette arrangementet har ikke søknad og utvelging, men førstemann-til-mølla.",
                                  "nn": "Dette arrangementet har ikkje søknad og utveljing, men først til mølla.",
                                  "en": "This event is first come, first served; it has no selection."},
    "accommodation.none": {"nb": "Arrangementet tilbyr ikke overnatting.",
                           "nn": "Arrangementet tilbyr ikkje overnatting.",
                           "en": "This event offers no accommodation."},
}


def text(key: str, lang: str, **params: object) -> str:
    texts = _TEXTS.get(key)
    if texts is None:
        return messages.text(key, lang, **params)
    return (texts.get(lang) or texts["nb"]).format(**params)
