"""Registration: events, applications, self-service, selection, waiting lists, accommodation."""
from chalice import Chalice, Rate

from samling.platform.edge import Edge, Reply, Request, csv, health
from samling.registration import views
from samling.registration.applications import Registration

app = Chalice(app_name="samling-registration")
edge = Edge(app, "registration")
health(edge)
registration = Registration()


# --- events -----------------------------------------------------------------------------------
@edge.route("/events")
def list_events(req: Request):
    return registration.events()


@edge.route("/events/{event_id}")
def get_event(req: Request, event_id: str):
    return registration.event(event_id, req.lang).public_view()


@edge.route("/events/{event_id}", methods=["PUT"], organiser=True)
def put_event(req: Request, event_id: str):
    body, created = registration.configure(event_id, views.json_body(req), req.lang)
    return Reply(body, 201 if created else 200)


# --- applying -----------------------------------------------------------------------------------
@edge.route("/events/{event_id}/applications", methods=["POST"])
def apply(req: Request, event_id: str):
    lang = views.request_lang(registration, req, event_id)
    status, body = registration.submit(event_id, views.json_body(req), lang)
    return Reply(body, status)


@edge.route("/events/{event_id}/form", methods=["GET", "POST"])
def form(req: Request, event_id: str):
    return views.form(registration, req, event_id)


# --- the applicant's own application (token) ------------------------------------------------------
@edge.route("/applications/{app_id}", methods=["GET", "PATCH", "DELETE"])
def own_application(req: Request, app_id: str):
    token = req.token()
    if req.method == "GET":
        return registration.view(app_id, token, req.lang)
    if req.method == "PATCH":
        return registration.edit(app_id, token, views.json_body(req), req.lang)
    return registration.erase(app_id, token, req.lang)


@edge.route("/applications/{app_id}/manage")
def manage_page(req: Request, app_id: str):
    return views.manage(registration, req, app_id)


@edge.route("/applications/{app_id}/manage/offer", methods=["POST"])
def manage_offer(req: Request, app_id: str):
    return views.manage_offer(registration, req, app_id)


@edge.route("/applications/{app_id}/manage/withdraw", methods=["POST"])
def manage_withdraw(req: Request, app_id: str):
    return views.manage_withdraw(registration, req, app_id)


@edge.route("/applications/{app_id}/manage/edit", methods=["GET", "POST"])
def manage_edit(req: Request, app_id: str):
    return views.manage_edit(registration, req, app_id)


@edge.route("/applications/{app_id}/withdraw", methods=["POST"])
def withdraw(req: Request, app_id: str):
    return registration.withdraw(app_id, req.token(), req.lang)


@edge.route("/applications/{app_id}/offer", methods=["POST"])
def answer_offer(req: Request, app_id: str):
    return registration.answer_offer(app_id, req.token(), views.json_body(req), req.lang)


# --- organisers ---------------------------------------------------------------------------------
@edge.route("/events/{event_id}/applications", organiser=True)
def list_applications(req: Request, event_id: str):
    apps = registration.listing(event_id, req.query.get("status"), req.lang)
    if req.query.get("format") == "csv":
        return csv(views.applications_csv(apps, req.lang), f"{event_id}-applications.csv")
    return apps


@edge.route("/applications/{app_id}/review", methods=["PUT"], organiser=True)
def review(req: Request, app_id: str):
    return registration.review(app_id, views.json_body(req), req.lang)


@edge.route("/events/{event_id}/invitations", methods=["POST"], organiser=True)
def invite(req: Request, event_id: str):
    return registration.invite(event_id, views.json_body(req), req.lang)


@edge.route("/events/{event_id}/selection", methods=["GET", "POST"], organiser=True)
def selection(req: Request, event_id: str):
    from samling.registration import selecting

    if req.method == "GET":
        return selecting.last(registration, event_id, req.lang)
    dry_run = req.query.get("dry_run", "").lower() in ("1", "true", "yes")
    return selecting.run(registration, event_id, dry_run, req.lang)


@edge.route("/events/{event_id}/accommodation", methods=["GET", "POST"], organiser=True)
def accommodation(req: Request, event_id: str):
    from samling.registration import lodging

    if req.method == "POST":
        return lodging.allocate(registration, event_id, req.lang)
    result = lodging.last(registration, event_id, req.lang)
    if req.query.get("format") == "csv":
        return csv(lodging.rooming_csv(registration, event_id, req.lang), f"{event_id}-rooming-list.csv")
    return result


@edge.route("/events/{event_id}/accommodation/overrides/{app_id}", methods=["PUT"], organiser=True)
def accommodation_override(req: Request, event_id: str, app_id: str):
    from samling.registration import lodging

    return lodging.override(registration, event_id, app_id, views.json_body(req), req.lang)


# --- the schedule -------------------------------------------------------------------------------
@app.schedule(Rate(15, unit=Rate.MINUTES))
def expire_offers(event):
    return registration.expire_offers()


# --- contributions, programme and award (chalicelib/gronn_praksis.py) ----------------------------
from chalicelib import gronn_praksis  # noqa: E402  (routes are recorded on import, then registered)

app.register_blueprint(gronn_praksis.bp)
