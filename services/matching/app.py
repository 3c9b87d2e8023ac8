"""Matching: diverse groups with facilitators and 1:1 pairing rounds across groups."""
import os

from chalice import Chalice

from samling.matching import service
from samling.platform.consumer import consume
from samling.platform.edge import Edge, Request, health

app = Chalice(app_name="samling-matching")
edge = Edge(app, "matching")
health(edge)


@app.on_sqs_message(queue=os.environ.get("SAMLING_MATCHING_QUEUE_NAME", "samling-local-matching"), batch_size=10)
def on_message(event):
    return consume(event, service.handle)


@edge.route("/events/{event_id}/groups", methods=["GET", "POST"], organiser=True)
def groups(req: Request, event_id: str):
    if req.method == "GET":
        return service.last_groups(event_id, req.lang)
    return service.form(event_id, req.json(allow_empty=True), req.lang)


@edge.route("/events/{event_id}/pairings", methods=["GET", "POST"], organiser=True)
def pairings(req: Request, event_id: str):
    if req.method == "GET":
        return service.rounds(event_id, req.lang)
    return service.pair(event_id, req.json(allow_empty=True), req.lang)
