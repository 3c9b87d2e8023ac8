"""Routes for events where participants bring their own practice: contributions, the
programme and the award. A blueprint of the registration app."""
from chalice import Blueprint

from samling.platform import i18n
from samling.platform.edge import Edge, Reply, Request, csv, html
from samling.registration import ballot_page
from samling.registration.gronn_praksis import GronnPraksis, programme_page

bp = Blueprint(__name__)
edge = Edge(bp, "registration")
gp = GronnPraksis()


def _lang(req: Request, event_id: str) -> str:
    """The request's language, falling back to the event's first language."""
    doc = gp.store.event(event_id)
    if doc:
        req.offer_languages(doc.get("languages") or i18n.LANGUAGES)
    return req.lang


# --- contributions: the applicant (application token) --------------------------------------------
@edge.route("/applications/{app_id}/contributions", methods=["GET", "POST"])
def own_contributions(req: Request, app_id: str):
    if req.method == "GET":
        return gp.own_list(app_id, req.token(), req.lang)
    return Reply(gp.submit(app_id, req.token(), req.json(), req.lang), 201)


@edge.route("/contributions/{cid}", methods=["GET", "PATCH", "DELETE"])
def own_contribution(req: Request, cid: str):
    if req.method == "GET":
        return gp.own_one(cid, req.token(), req.lang)
    if req.method == "PATCH":
        return gp.edit(cid, req.token(), req.json(), req.lang)
    return gp.withdraw(cid, req.token(), req.lang)


# --- contributions: organisers --------------------------------------------------------------------
@edge.route("/events/{event_id}/contributions", organiser=True)
def list_contributions(req: Request, event_id: str):
    lang = _lang(req, event_id)
    status = req.query.get("status")
    if req.query.get("format") == "csv":
        return csv(gp.listing_csv(event_id, status, lang), f"{event_id}-contributions.csv")
    return gp.listing(event_id, status, lang)


@edge.route("/contributions/{cid}/decision", methods=["PUT"], organiser=True)
def decide(req: Request, cid: str):
    return gp.decide(cid, req.json(), req.lang)


# --- the programme ------------------------------------------------------------------------------
@edge.route("/events/{event_id}/programme", methods=["POST"], organiser=True)
def place_programme(req: Request, event_id: str):
    return gp.place_programme(event_id, _lang(req, event_id))


@edge.route("/events/{event_id}/programme", methods=["GET"])
def programme(req: Request, event_id: str):
    lang = _lang(req, event_id)
    view = gp.programme_view(event_id, lang)
    if req.wants_html():
        return html(programme_page(view, gp.registration.event(event_id, lang), lang))
    return view


# --- the award ----------------------------------------------------------------------------------
@edge.route("/events/{event_id}/nominations", methods=["POST"])
def nominate(req: Request, event_id: str):
    status, body = gp.nominate(event_id, req.json(), _lang(req, event_id))
    return Reply(body, status)


@edge.route("/events/{event_id}/nominations", methods=["GET"], organiser=True)
def nominations(req: Request, event_id: str):
    return gp.nominations(event_id, _lang(req, event_id))


@edge.route("/events/{event_id}/award")
def award(req: Request, event_id: str):
    return gp.public_award(event_id, _lang(req, event_id))


@edge.route("/events/{event_id}/award/jury", methods=["POST"], organiser=True)
def jury(req: Request, event_id: str):
    return gp.invite_jury(event_id, _lang(req, event_id))


@edge.route("/events/{event_id}/award/ballot", methods=["GET", "POST"])
def ballot(req: Request, event_id: str):
    # the link in the jury's mail opens a page; other clients keep the JSON ballot
    if req.method == "POST":
        return ballot_page.submit(gp, req, event_id, _lang(req, event_id))
    if req.wants_html():
        return ballot_page.show(gp, req, event_id, _lang(req, event_id))
    return gp.ballot(event_id, req.token("x-jury-token"), _lang(req, event_id))


@edge.route("/nominations/{nid}/scores", methods=["PUT"])
def scores(req: Request, nid: str):
    return gp.score(nid, req.token("x-jury-token"), req.json(), req.lang)


@edge.route("/events/{event_id}/award/results", organiser=True)
def results(req: Request, event_id: str):
    return gp.results(event_id, _lang(req, event_id))


@edge.route("/events/{event_id}/award/winner", methods=["POST"], organiser=True)
def winner(req: Request, event_id: str):
    return gp.publish_winner(event_id, req.json(), _lang(req, event_id))
