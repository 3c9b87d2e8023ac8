"""The jury's ballot as a web page: the link in the invitation opens a page that works without
JavaScript, with one small form per nomination. Scoring goes through the same use case as
``PUT /nominations/{nid}/scores``, so the page and the JSON route can never disagree."""
from __future__ import annotations

from typing import Any

from samling.platform import i18n
from samling.platform.edge import Reply, Request, html
from samling.platform.errors import ApiError
from samling.registration import views
from samling.registration.award import SCORE_HIGH, SCORE_LOW
from samling.registration.rules import local_text

TEXTS: dict[str, dict[str, Any]] = {
    "nb": {
        "heading": "Juryens stemmeseddel",
        "greeting": "Hei, {name}!",
        "intro": "Her er nominasjonene til {award}. Gi hver nominasjon poeng fra 1 til 5 på hvert kriterium, "
                 "og lagre nominasjonene én og én. Du kan endre poengene dine helt til vinneren er kåret.",
        "criteria": "Kriteriene",
        "weights": "Resultatet for hver nominasjon er et vektet snitt av poengene: "
                   "jo større vekt, desto mer teller kriteriet.",
        "weight": "teller {weight} av {total} deler ({share} %)",
        "scale": "1 betyr svært svakt, 3 middels og 5 svært sterkt.",
        "nominations": "Nominasjonene",
        "none": "Det er ingen nominasjoner ennå.",
        "municipality": "Kommune",
        "reason": "Begrunnelse fra den som nominerte",
        "summary": "Om bidraget",
        "comment": "Kommentar (valgfritt)",
        "comment_help": "Bare juryen og arrangøren ser kommentaren.",
        "save": "Lagre poengene",
        "saved": "Poengene dine for denne nominasjonen er lagret.",
        "scored": "Du har gitt poeng her før; du kan endre dem.",
        "not_scored": "Ikke vurdert ennå.",
        "problem": "Poengene ble ikke lagret. Se merknadene under.",
        "closed": "Vinneren er kåret, så juryarbeidet er avsluttet og poengene kan ikke endres lenger.",
        "your_scores": "Poengene dine",
        "languages": "Språk",
        "not_found_heading": "Fant ikke stemmeseddelen",
        "not_found": "Lenken virker ikke. Bruk lenken i e-posten med invitasjonen til juryarbeidet, "
                     "eller kontakt arrangøren.",
    },
    "nn": {
        "heading": "Stemmesetelen til juryen",
        "greeting": "Hei, {name}!",
        "intro": "Her er nominasjonane til {award}. Gi kvar nominasjon poeng frå 1 til 5 på kvart kriterium, "
                 "og lagre nominasjonane éin og éin. Du kan endre poenga dine heilt til vinnaren er kåra.",
        "criteria": "Kriteria",
        "weights": "Resultatet for kvar nominasjon er eit vekta snitt av poenga: "
                   "di større vekt, di meir tel kriteriet.",
        "weight": "tel {weight} av {total} delar ({share} %)",
        "scale": "1 tyder svært svakt, 3 middels og 5 svært sterkt.",
        "nominations": "Nominasjonane",
        "none": "Det er ingen nominasjonar enno.",
        "municipality": "Kommune",
        "reason": "Grunngjeving frå den som nominerte",
        "summary": "Om bidraget",
        "comment": "Kommentar (valfritt)",
        "comment_help": "Berre juryen og arrangøren ser kommentaren.",
        "save": "Lagre poenga",
        "saved": "Poenga dine for denne nominasjonen er lagra.",
        "scored": "Du har gitt poeng her før; du kan endre dei.",
        "not_scored": "Ikkje vurdert enno.",
        "problem": "Poenga vart ikkje lagra. Sjå merknadene under.",
        "closed": "Vinnaren er kåra, så juryarbeidet er avslutta og poenga kan ikkje endrast lenger.",
        "your_scores": "Poenga dine",
        "languages": "Språk",
        "not_found_heading": "Fann ikkje stemmesetelen",
        "not_found": "Lenkja verkar ikkje. Bruk lenkja i e-posten med invitasjonen til juryarbeidet, "
                     "eller kontakt arrangøren.",
    },
    "en": {
        "heading": "The jury's ballot",
        "greeting": "Hello, {name}!",
        "intro": "Here are the nominations for {award}. Give each nomination a score from 1 to 5 on every "
                 "criterion and save the nominations one at a time. You can change your scores until the "
                 "winner is announced.",
        "criteria": "The criteria",
        "weights": "Each nomination's result is a weighted average of the scores: the greater the weight, "
                   "the more the criterion counts.",
        "weight": "counts for {weight} of {total} parts ({share} %)",
        "scale": "1 means very weak, 3 average and 5 very strong.",
        "nominations": "The nominations",
        "none": "There are no nominations yet.",
        "municipality": "Municipality",
        "reason": "Why it was nominated",
        "summary": "About the contribution",
        "comment": "Comment (optional)",
        "comment_help": "Only the jury and the organiser see the comment.",
        "save": "Save the scores",
        "saved": "Your scores for this nomination have been saved.",
        "scored": "You have scored this one before; you can change your scores.",
        "not_scored": "Not scored yet.",
        "problem": "The scores were not saved. See the notes below.",
        "closed": "The winner has been announced, so the jury's work is over and scores can no longer be changed.",
        "your_scores": "Your scores",
        "languages": "Language",
        "not_found_heading": "Ballot not found",
        "not_found": "The link does not work. Use the link in the email inviting you to the jury, "
                     "or contact the organiser.",
    },
}
LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
SCORES = tuple(range(SCORE_LOW, SCORE_HIGH + 1))


def _number(value: float, lang: str) -> str:
    """A weight or a share as people write it: no ".0", and a decimal comma in Norwegian."""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text if lang == "en" else text.replace(".", ",")


def _criteria(view: dict, lang: str) -> list[dict]:
    t = TEXTS[lang]
    total = sum(c["weight"] for c in view["criteria"]) or 1
    return [{**c, "explained": t["weight"].format(weight=_number(c["weight"], lang), total=_number(total, lang),
                                                  share=_number(100 * c["weight"] / total, lang))}
            for c in view["criteria"]]


def _render(name: str, status: int, **context: Any) -> Reply:
    return html(views._env().get_template(name).render(**context), status)


def not_found(lang: str) -> Reply:
    t = TEXTS[lang]
    return _render("not_found.html", 404, t=t, lang=lang, title=t["not_found_heading"])


def render(view: dict, event_title: str, token: str, lang: str, *, status: int = 200, saved: str | None = None,
           failed: str | None = None, errors: dict[str, str] | None = None,
           values: dict[str, Any] | None = None) -> Reply:
    """The ballot page. ``saved``/``failed`` name the nomination just posted; ``errors`` are the
    use case's field messages for it and ``values`` what the juror posted, shown again."""
    t = TEXTS[lang]
    errors = errors or {}
    criteria = _criteria(view, lang)
    known = {f"scores.{c['id']}" for c in criteria} | {"comment"}
    nominations = []
    for n in view["nominations"]:
        mine = values if n["id"] == failed and values is not None else {
            "scores": n["my_scores"] or {}, "comment": n["my_comment"] or ""}
        nominations.append({**n, "chosen": {k: str(v) for k, v in (mine["scores"] or {}).items()},
                            "comment": mine["comment"] or "",
                            "errors": errors if n["id"] == failed else {}})
    return _render(
        "ballot.html", status, t=t, lang=lang, title=f"{t['heading']} · {view['award']['title']}",
        event_title=event_title, award_title=view["award"]["title"], juror_name=view["juror"]["name"],
        closed=view["published"], criteria=criteria, nominations=nominations, token=token, scores=SCORES,
        saved=saved, failed=failed, other_errors=[m for k, m in errors.items() if k not in known],
        intro=t["intro"].format(award=view["award"]["title"]), greeting=t["greeting"].format(name=view["juror"]["name"]),
        other_languages=[(code, LANGUAGE_NAMES[code]) for code in i18n.LANGUAGES if code != lang])


def parse(form: dict[str, list[str]], criteria: list[str]) -> tuple[str, dict, dict]:
    """The posted form → (nomination id, the use case's payload, the values to show again).

    An unticked criterion is left out so the use case names it; anything that is not a whole
    number is passed on as it came, so the use case's own message explains the range."""
    one = lambda key: (form.get(key) or [""])[0].strip()
    scores: dict[str, Any] = {}
    for key in form:
        if not key.startswith("score."):
            continue
        raw = one(key)
        if raw:
            # only plain ASCII digits become numbers ("²" is a digit to Python, not to int())
            scores[key[len("score."):]] = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else raw
    comment = (form.get("comment") or [""])[0]
    shown = {"scores": {c: scores[c] for c in criteria if c in scores}, "comment": comment}
    return one("nomination_id"), {"scores": scores, "comment": comment}, shown


def _event_title(gp: Any, event_id: str, lang: str) -> str:
    return local_text(gp.registration.event(event_id, lang).title, lang)


def _posted_lang(req: Request) -> str | None:
    """The page's language, sent back with every form so the answer reads like the page did."""
    if req.method != "POST":
        return None
    posted = (req.form().get("lang") or [""])[0]
    return posted if posted in i18n.LANGUAGES else None


def _browsers_get_a_page(fn: Any) -> Any:
    """A wrong or missing token answers browsers with a small page, other clients with JSON."""
    def wrapped(gp: Any, req: Request, event_id: str, lang: str) -> Reply:
        lang = _posted_lang(req) or lang
        try:
            return fn(gp, req, event_id, lang)
        except ApiError as exc:
            if exc.code == "not_found" and req.wants_html():
                return not_found(lang)
            raise
    return wrapped


@_browsers_get_a_page
def show(gp: Any, req: Request, event_id: str, lang: str) -> Reply:
    token = req.token("x-jury-token") or ""
    view = gp.ballot(event_id, token, lang)
    return render(view, _event_title(gp, event_id, lang), token, lang)


@_browsers_get_a_page
def submit(gp: Any, req: Request, event_id: str, lang: str) -> Reply:
    form = req.form()
    token = (form.get("token") or [""])[0] or req.token("x-jury-token") or ""
    view = gp.ballot(event_id, token, lang)        # the token must open this event's ballot
    nid, payload, shown = parse(form, [c["id"] for c in view["criteria"]])
    if nid not in {n["id"] for n in view["nominations"]}:
        raise ApiError("not_found")
    title = _event_title(gp, event_id, lang)
    try:
        gp.score(nid, token, payload, lang)
    except ApiError as exc:
        if exc.code == "not_found":
            raise
        now = gp.ballot(event_id, token, lang)
        if exc.status == 409 and now["published"]:
            return render(now, title, token, lang, status=409)
        return render(view, title, token, lang, status=exc.status, failed=nid,
                      errors=dict(exc.fields or {"body": exc.message or i18n.generic(exc.code, lang)}),
                      values=shown)
    return render(gp.ballot(event_id, token, lang), title, token, lang, saved=nid)
