"""What the registration service says to people, in bokmål, nynorsk and English.

    text("email.invalid", "nn")                       # "Skriv inn ei gyldig e-postadresse."
    text("field.too_long", "en", max=200)             # "This is too long (at most 200 characters)."
    text("error.registration_closed", "de")           # unknown language: bokmål

Keys: ``error.<code>`` for every error code of the HTTP contract, ``<field>.<problem>`` for
answers on the application form, ``eligibility.<rule>`` for why someone cannot register, and
``label.<kind>.<value>`` for the names of choices (organisation types, sectors, statuses …).
"""

from __future__ import annotations

import string
from collections.abc import Iterable

DEFAULT_LANGUAGE = "nb"

ERROR_CODES = (
    "bad_request",
    "unauthorized",
    "forbidden",
    "not_found",
    "validation_error",
    "not_eligible",
    "registration_closed",
    "registration_not_open",
    "state_conflict",
    "offer_expired",
    "payload_too_large",
)

NB: dict[str, str] = {
    # Error codes of the HTTP contract.
    "error.bad_request": "Vi forstod ikke forespørselen. Kontroller at den er gyldig JSON.",
    "error.unauthorized": "Du må logge inn som arrangør for å gjøre dette.",
    "error.forbidden": "Du har ikke tilgang til dette.",
    "error.not_found": "Vi fant ikke det du leter etter.",
    "error.validation_error": "Noen av svarene må rettes. Se merknadene ved feltene.",
    "error.not_eligible": "Du kan dessverre ikke melde deg på dette arrangementet.",
    "error.registration_closed": "Påmeldingsfristen har gått ut.",
    "error.registration_not_open": "Påmeldingen har ikke åpnet ennå.",
    "error.state_conflict": "Dette går ikke an å gjøre nå.",
    "error.offer_expired": "Fristen for å svare på tilbudet har gått ut.",
    "error.payload_too_large": "Forespørselen er for stor. Den kan være på høyst 64 KiB.",
    # The same windows for contributions and award nominations.
    "window.contributions_not_open": "Det er ikke åpnet for å melde inn bidrag ennå.",
    "window.contributions_closed": "Fristen for å melde inn bidrag har gått ut.",
    "window.nominations_not_open": "Det er ikke åpnet for å nominere ennå.",
    "window.nominations_closed": "Fristen for å nominere har gått ut.",
    # The body as a whole.
    "body.not_object": "Svarene må sendes som et JSON-objekt med ett felt per spørsmål.",
    # Any field.
    "field.required": "Dette feltet må fylles ut.",
    "field.not_text": "Skriv svaret som tekst.",
    "field.too_long": "Teksten er for lang (høyst {max} tegn).",
    "field.invalid_characters": "Teksten inneholder tegn vi ikke kan ta imot.",
    # The application form.
    "name.required": "Skriv inn navnet ditt.",
    "email.required": "Skriv inn e-postadressen din.",
    "email.invalid": "Skriv inn en gyldig e-postadresse.",
    "phone.invalid": "Skriv inn et gyldig telefonnummer, for eksempel +47 900 00 000.",
    "consent.required": "Du må samtykke til at vi behandler opplysningene dine for å kunne melde deg på.",
    "organisation_type.required": "Velg hva slags virksomhet du kommer fra.",
    "organisation_type.invalid": "Velg en av virksomhetstypene i lista.",
    "municipality.required": "Velg kommunen du kommer fra.",
    "municipality.not_text": "Oppgi kommunenummeret med fire sifre, for eksempel 1508.",
    "county.required": "Velg fylket du kommer fra.",
    "county.invalid": "Velg et fylke fra lista.",
    "county.mismatch": "Fylket stemmer ikke med kommunen du har valgt.",
    "organisation.required": "Skriv inn navnet på virksomheten du kommer fra.",
    "sector.required": "Velg sektoren du jobber i.",
    "sector.invalid": "Velg en av sektorene i lista.",
    "experience.required": "Velg hvor mye erfaring du har med klimaarbeid.",
    "experience.invalid": "Velg lite, noe eller mye erfaring.",
    "motivation.too_long": "Motivasjonen kan være på høyst {max} tegn.",
    "language.invalid": "Velg bokmål, nynorsk eller engelsk.",
    "theme.required": "Velg hvilket tema du vil delta i.",
    "theme.invalid": "Velg et av temaene for arrangementet.",
    "theme.not_offered": "Dette arrangementet har ingen temaer å velge mellom.",
    "sessions.invalid": "Velg blant øktene i programmet.",
    "interests.invalid": "Oppgi interessene som korte stikkord (høyst {max_items} stikkord på høyst {max_length} tegn).",
    "accommodation.invalid": "Svar ja eller nei på om du trenger overnatting.",
    # Why someone cannot register.
    "eligibility.organisation_type": "Arrangementet er bare åpent for {allowed}.",
    "eligibility.county": "Arrangementet er bare åpent for deltakere fra {counties}.",
    "eligibility.county_unknown": "Arrangementet er bare åpent for deltakere fra {counties}. Oppgi kommunen eller fylket du kommer fra.",
    "eligibility.municipality": "Arrangementet er bare åpent for inviterte kommuner, og {municipality} er ikke blant dem.",
    "eligibility.municipality_unknown": "Arrangementet er bare åpent for inviterte kommuner. Oppgi kommunen du kommer fra.",
    "eligibility.leaders_only": "Økta «{session}» er bare for ordførere og kommunedirektører.",
    "eligibility.max_per_municipality": "{municipality} har allerede {limit} påmeldte, som er det høyeste antallet per kommune.",
    # Names of choices.
    "label.organisation_type.kommune": "kommuner",
    "label.organisation_type.fylkeskommune": "fylkeskommuner",
    "label.organisation_type.folkevalgt": "folkevalgte",
    "label.organisation_type.statlig": "statlige virksomheter",
    "label.organisation_type.naeringsliv": "næringslivet",
    "label.organisation_type.sivilsamfunn": "sivilsamfunnet",
    "label.organisation_type.fou": "forsknings- og utviklingsmiljøer",
    "label.sector.klima_miljo": "Klima og miljø",
    "label.sector.plan": "Planlegging",
    "label.sector.helse_omsorg": "Helse og omsorg",
    "label.sector.oppvekst_utdanning": "Oppvekst og utdanning",
    "label.sector.teknisk": "Teknisk",
    "label.sector.landbruk": "Landbruk",
    "label.sector.kultur_idrett": "Kultur og idrett",
    "label.sector.naering": "Næringsutvikling",
    "label.sector.innkjop": "Innkjøp",
    "label.sector.eiendom": "Bygg og eiendom",
    "label.sector.ledelse": "Ledelse",
    "label.sector.annet": "Annet",
    "label.experience.lite": "Lite erfaring",
    "label.experience.noe": "Noe erfaring",
    "label.experience.mye": "Mye erfaring",
    "label.role.ordforer": "Ordfører",
    "label.role.kommunedirektor": "Kommunedirektør",
    "label.role.radgiver": "Rådgiver",
    "label.role.leder": "Leder",
    "label.role.folkevalgt": "Folkevalgt",
    "label.role.annet": "Annet",
    "label.status.submitted": "Mottatt",
    "label.status.offered": "Tilbudt plass",
    "label.status.confirmed": "Bekreftet",
    "label.status.waitlisted": "På venteliste",
    "label.status.declined": "Takket nei",
    "label.status.not_selected": "Fikk ikke plass",
    "label.status.withdrawn": "Trukket",
    "label.status.expired": "Svarfristen gikk ut",
    "list.and": "og",
}

NN: dict[str, str] = {
    "error.bad_request": "Vi forstod ikkje førespurnaden. Kontroller at han er gyldig JSON.",
    "error.unauthorized": "Du må logge inn som arrangør for å gjere dette.",
    "error.forbidden": "Du har ikkje tilgang til dette.",
    "error.not_found": "Vi fann ikkje det du leitar etter.",
    "error.validation_error": "Nokre av svara må rettast. Sjå merknadene ved felta.",
    "error.not_eligible": "Du kan dessverre ikkje melde deg på dette arrangementet.",
    "error.registration_closed": "Påmeldingsfristen har gått ut.",
    "error.registration_not_open": "Påmeldinga har ikkje opna enno.",
    "error.state_conflict": "Dette går ikkje an å gjere no.",
    "error.offer_expired": "Fristen for å svare på tilbodet har gått ut.",
    "error.payload_too_large": "Førespurnaden er for stor. Han kan vere på høgst 64 KiB.",
    "window.contributions_not_open": "Det er ikkje opna for å melde inn bidrag enno.",
    "window.contributions_closed": "Fristen for å melde inn bidrag har gått ut.",
    "window.nominations_not_open": "Det er ikkje opna for å nominere enno.",
    "window.nominations_closed": "Fristen for å nominere har gått ut.",
    "body.not_object": "Svara må sendast som eit JSON-objekt med eitt felt per spørsmål.",
    "field.required": "Dette feltet må fyllast ut.",
    "field.not_text": "Skriv svaret som tekst.",
    "field.too_long": "Teksten er for lang (høgst {max} teikn).",
    "field.invalid_characters": "Teksten inneheld teikn vi ikkje kan ta imot.",
    "name.required": "Skriv inn namnet ditt.",
    "email.required": "Skriv inn e-postadressa di.",
    "email.invalid": "Skriv inn ei gyldig e-postadresse.",
    "phone.invalid": "Skriv inn eit gyldig telefonnummer, til dømes +47 900 00 000.",
    "consent.required": "Du må samtykkje til at vi behandlar opplysningane dine for å kunne melde deg på.",
    "organisation_type.required": "Vel kva slags verksemd du kjem frå.",
    "organisation_type.invalid": "Vel ein av verksemdstypane i lista.",
    "municipality.required": "Vel kommunen du kjem frå.",
    "municipality.not_text": "Oppgi kommunenummeret med fire siffer, til dømes 1508.",
    "county.required": "Vel fylket du kjem frå.",
    "county.invalid": "Vel eit fylke frå lista.",
    "county.mismatch": "Fylket stemmer ikkje med kommunen du har valt.",
    "organisation.required": "Skriv inn namnet på verksemda du kjem frå.",
    "sector.required": "Vel sektoren du jobbar i.",
    "sector.invalid": "Vel ein av sektorane i lista.",
    "experience.required": "Vel kor mykje erfaring du har med klimaarbeid.",
    "experience.invalid": "Vel lite, noko eller mykje erfaring.",
    "motivation.too_long": "Motivasjonen kan vere på høgst {max} teikn.",
    "language.invalid": "Vel bokmål, nynorsk eller engelsk.",
    "theme.required": "Vel kva tema du vil delta i.",
    "theme.invalid": "Vel eitt av tema for arrangementet.",
    "theme.not_offered": "Dette arrangementet har ingen tema å velje mellom.",
    "sessions.invalid": "Vel mellom øktene i programmet.",
    "interests.invalid": "Oppgi interessene som korte stikkord (høgst {max_items} stikkord på høgst {max_length} teikn).",
    "accommodation.invalid": "Svar ja eller nei på om du treng overnatting.",
    "eligibility.organisation_type": "Arrangementet er berre ope for {allowed}.",
    "eligibility.county": "Arrangementet er berre ope for deltakarar frå {counties}.",
    "eligibility.county_unknown": "Arrangementet er berre ope for deltakarar frå {counties}. Oppgi kommunen eller fylket du kjem frå.",
    "eligibility.municipality": "Arrangementet er berre ope for inviterte kommunar, og {municipality} er ikkje mellom dei.",
    "eligibility.municipality_unknown": "Arrangementet er berre ope for inviterte kommunar. Oppgi kommunen du kjem frå.",
    "eligibility.leaders_only": "Økta «{session}» er berre for ordførarar og kommunedirektørar.",
    "eligibility.max_per_municipality": "{municipality} har alt {limit} påmelde, som er det høgaste talet per kommune.",
    "label.organisation_type.kommune": "kommunar",
    "label.organisation_type.fylkeskommune": "fylkeskommunar",
    "label.organisation_type.folkevalgt": "folkevalde",
    "label.organisation_type.statlig": "statlege verksemder",
    "label.organisation_type.naeringsliv": "næringslivet",
    "label.organisation_type.sivilsamfunn": "sivilsamfunnet",
    "label.organisation_type.fou": "forskings- og utviklingsmiljø",
    "label.sector.klima_miljo": "Klima og miljø",
    "label.sector.plan": "Planlegging",
    "label.sector.helse_omsorg": "Helse og omsorg",
    "label.sector.oppvekst_utdanning": "Oppvekst og utdanning",
    "label.sector.teknisk": "Teknisk",
    "label.sector.landbruk": "Landbruk",
    "label.sector.kultur_idrett": "Kultur og idrett",
    "label.sector.naering": "Næringsutvikling",
    "label.sector.innkjop": "Innkjøp",
    "label.sector.eiendom": "Bygg og eigedom",
    "label.sector.ledelse": "Leiing",
    "label.sector.annet": "Anna",
    "label.experience.lite": "Lite erfaring",
    "label.experience.noe": "Noko erfaring",
    "label.experience.mye": "Mykje erfaring",
    "label.role.ordforer": "Ordførar",
    "label.role.kommunedirektor": "Kommunedirektør",
    "label.role.radgiver": "Rådgivar",
    "label.role.leder": "Leiar",
    "label.role.folkevalgt": "Folkevald",
    "label.role.annet": "Anna",
    "label.status.submitted": "Motteken",
    "label.status.offered": "Tilbode plass",
    "label.status.confirmed": "Stadfesta",
    "label.status.waitlisted": "På venteliste",
    "label.status.declined": "Takka nei",
    "label.status.not_selected": "Fekk ikkje plass",
    "label.status.withdrawn": "Trekt",
    "label.status.expired": "Svarfristen gjekk ut",
    "list.and": "og",
}

EN: dict[str, str] = {
    "error.bad_request": "We could not understand the request. Check that it is valid JSON.",
    "error.unauthorized": "You must sign in as an organiser to do this.",
    "error.forbidden": "You do not have access to this.",
    "error.not_found": "We could not find what you were looking for.",
    "error.validation_error": "Some answers need correcting. See the notes by each field.",
    "error.not_eligible": "Unfortunately, you cannot register for this event.",
    "error.registration_closed": "The registration deadline has passed.",
    "error.registration_not_open": "Registration has not opened yet.",
    "error.state_conflict": "This cannot be done at this stage.",
    "error.offer_expired": "The deadline for answering the offer has passed.",
    "error.payload_too_large": "The request is too large. It may be at most 64 KiB.",
    "window.contributions_not_open": "Contributions cannot be submitted yet.",
    "window.contributions_closed": "The deadline for submitting contributions has passed.",
    "window.nominations_not_open": "Nominations have not opened yet.",
    "window.nominations_closed": "The deadline for nominations has passed.",
    "body.not_object": "Send your answers as a JSON object with one field per question.",
    "field.required": "Please fill in this field.",
    "field.not_text": "Please answer in text.",
    "field.too_long": "This is too long (at most {max} characters).",
    "field.invalid_characters": "This text contains characters we cannot accept.",
    "name.required": "Please enter your name.",
    "email.required": "Please enter your email address.",
    "email.invalid": "Please enter a valid email address.",
    "phone.invalid": "Please enter a valid phone number, for example +47 900 00 000.",
    "consent.required": "You must agree to us processing your details before you can register.",
    "organisation_type.required": "Please choose what kind of organisation you work for.",
    "organisation_type.invalid": "Please choose one of the organisation types in the list.",
    "municipality.required": "Please choose your municipality.",
    "municipality.not_text": "Give the municipality number as four digits, for example 1508.",
    "county.required": "Please choose your county.",
    "county.invalid": "Please choose a county from the list.",
    "county.mismatch": "The county does not match the municipality you chose.",
    "organisation.required": "Please enter the name of your organisation.",
    "sector.required": "Please choose the sector you work in.",
    "sector.invalid": "Please choose one of the sectors in the list.",
    "experience.required": "Please choose how much experience you have of climate work.",
    "experience.invalid": "Please choose little, some or much experience.",
    "motivation.too_long": "Your motivation may be at most {max} characters long.",
    "language.invalid": "Please choose Norwegian Bokmål, Norwegian Nynorsk or English.",
    "theme.required": "Please choose the theme you want to take part in.",
    "theme.invalid": "Please choose one of the event's themes.",
    "theme.not_offered": "This event has no themes to choose from.",
    "sessions.invalid": "Please choose from the sessions in the programme.",
    "interests.invalid": "Give your interests as short keywords (at most {max_items} keywords of at most {max_length} characters).",
    "accommodation.invalid": "Please answer yes or no to whether you need accommodation.",
    "eligibility.organisation_type": "This event is open only to {allowed}.",
    "eligibility.county": "This event is open only to participants from {counties}.",
    "eligibility.county_unknown": "This event is open only to participants from {counties}. Please give your municipality or county.",
    "eligibility.municipality": "This event is open only to invited municipalities, and {municipality} is not one of them.",
    "eligibility.municipality_unknown": "This event is open only to invited municipalities. Please give your municipality.",
    "eligibility.leaders_only": "The session “{session}” is only for mayors and chief municipal executives.",
    "eligibility.max_per_municipality": "{municipality} already has {limit} registered, the most allowed per municipality.",
    "label.organisation_type.kommune": "municipalities",
    "label.organisation_type.fylkeskommune": "county authorities",
    "label.organisation_type.folkevalgt": "elected representatives",
    "label.organisation_type.statlig": "government agencies",
    "label.organisation_type.naeringsliv": "businesses",
    "label.organisation_type.sivilsamfunn": "civil society",
    "label.organisation_type.fou": "research and development",
    "label.sector.klima_miljo": "Climate and environment",
    "label.sector.plan": "Planning",
    "label.sector.helse_omsorg": "Health and care",
    "label.sector.oppvekst_utdanning": "Childhood and education",
    "label.sector.teknisk": "Technical services",
    "label.sector.landbruk": "Agriculture",
    "label.sector.kultur_idrett": "Culture and sports",
    "label.sector.naering": "Business development",
    "label.sector.innkjop": "Procurement",
    "label.sector.eiendom": "Buildings and property",
    "label.sector.ledelse": "Management",
    "label.sector.annet": "Other",
    "label.experience.lite": "Little experience",
    "label.experience.noe": "Some experience",
    "label.experience.mye": "Much experience",
    "label.role.ordforer": "Mayor",
    "label.role.kommunedirektor": "Chief municipal executive",
    "label.role.radgiver": "Adviser",
    "label.role.leder": "Manager",
    "label.role.folkevalgt": "Elected representative",
    "label.role.annet": "Other",
    "label.status.submitted": "Received",
    "label.status.offered": "Offered a place",
    "label.status.confirmed": "Confirmed",
    "label.status.waitlisted": "On the waiting list",
    "label.status.declined": "Declined",
    "label.status.not_selected": "Not offered a place",
    "label.status.withdrawn": "Withdrawn",
    "label.status.expired": "Reply deadline passed",
    "list.and": "and",
}

MESSAGES: dict[str, dict[str, str]] = {"nb": NB, "nn": NN, "en": EN}


class _KeepMissing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_FORMATTER = string.Formatter()


def text(key: str, lang: str | None, **params: object) -> str:
    """The text for ``key`` in ``lang`` (bokmål if the language or the key is missing there),
    with ``{name}`` placeholders filled from ``params``. An unknown key raises ``KeyError``:
    that is a bug, not something to show a user."""
    table = MESSAGES.get(lang or DEFAULT_LANGUAGE, NB)
    template = table.get(key)
    if template is None:
        template = NB[key]
    if not params:
        return template
    return _FORMATTER.vformat(template, (), _KeepMissing(params))


def join_list(items: Iterable[str], lang: str | None) -> str:
    """``"a, b og c"`` / ``"a, b and c"``."""
    parts = [str(item) for item in items]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " " + text("list.and", lang) + " " + parts[-1]


def label(kind: str, value: str, lang: str | None) -> str:
    """The display name of a choice, e.g. ``label("sector", "plan", "en") == "Planning"``;
    a value without a name (free-text roles) is returned as it is."""
    key = f"label.{kind}.{value}"
    return text(key, lang) if key in NB else value
