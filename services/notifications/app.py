"""Notifications: every mail Samling sends, scheduled reminders, the organisers' outbox."""
import os

from chalice import Chalice, Rate

from samling.notifications import handlers
from samling.platform.consumer import consume
from samling.platform.edge import Edge, Request, health

app = Chalice(app_name="samling-notifications")
edge = Edge(app, "notifications")
health(edge)


@app.on_sqs_message(queue=os.environ.get("SAMLING_NOTIFICATIONS_QUEUE_NAME", "samling-local-notifications"),
                    batch_size=10)
def on_message(event):
    return consume(event, handlers.handle)


@app.schedule(Rate(15, unit=Rate.MINUTES))
def reminders(event):
    return handlers.send_due_reminders()


@edge.route("/events/{event_id}/outbox", organiser=True)
def outbox(req: Request, event_id: str):
    return handlers.outbox(event_id, req.lang)


@edge.route("/events/{event_id}/broadcast", methods=["POST"], organiser=True)
def broadcast(req: Request, event_id: str):
    return handlers.broadcast(event_id, req.json(), req.lang)
