"""Certificates: attendance per session and verifiable participation certificates (PDF)."""
import os

from chalice import Chalice

from samling.certificates import service
from samling.platform.consumer import consume
from samling.platform.edge import Edge, Reply, Request, health, html

app = Chalice(app_name="samling-certificates")
edge = Edge(app, "certificates")
health(edge)


@app.on_sqs_message(queue=os.environ.get("SAMLING_CERTIFICATES_QUEUE_NAME", "samling-local-certificates"),
                    batch_size=10)
def on_message(event):
    return consume(event, service.handle)


@edge.route("/events/{event_id}/attendance", methods=["POST"], organiser=True)
def attendance(req: Request, event_id: str):
    return service.record_attendance(event_id, req.json(), req.lang)


@edge.route("/events/{event_id}/issue", methods=["POST"], organiser=True)
def issue(req: Request, event_id: str):
    return service.issue(event_id, req.lang)


@edge.route("/events/{event_id}/certificates", organiser=True)
def certificates(req: Request, event_id: str):
    return service.listing(event_id, req.lang)


@edge.route("/certificates/{file_name}")
def download(req: Request, file_name: str):
    pdf = service.download(file_name, req.token(), req.headers.get("authorization"), req.lang)
    return Reply(pdf.body, 200, {"Content-Disposition": f'inline; filename="{pdf.filename}"',
                                 "Cache-Control": "private, no-store"}, content_type="application/pdf")


@edge.route("/verify/{code}")
def verify(req: Request, code: str):
    answer = service.verify(code, req.wants_html(), req.lang)
    return html(answer) if isinstance(answer, str) else answer
