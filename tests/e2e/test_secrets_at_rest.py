"""No table keeps a secret a person could use: applicant tokens are stored only as hashes (the
mailed links derive theirs from a server secret in SSM), organiser tokens only as hashes."""
from __future__ import annotations

from samling.platform import aws, settings


def scan_all(table: str) -> str:
    client = aws.client("dynamodb")
    text, kwargs = [], {"TableName": table}
    while True:
        page = client.scan(**kwargs)
        text.extend(str(item) for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            return "\n".join(text)
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_no_table_holds_an_applicant_token_and_later_mails_still_open_the_application(api, new_event, platform):
    event = new_event("klimakronsj-2021", registration__mode="first_come")
    api.clock("2021-06-01T12:00:00+02:00")
    r = api.post(f"/registration/events/{event['id']}/applications", json={
        "name": "Tora Hemmelegsen", "email": "tora@kommune.example", "organisation_type": "kommune",
        "municipality": "4601", "sector": "plan", "experience": "noe", "language": "nb", "consent": True})
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    api.drain()
    for service in settings.SERVICES:
        dump = scan_all(settings.table_name(service))
        assert token not in dump, service
        assert platform.organiser_token not in dump, service
    # the confirmation, sent after the receipt, carries a working link too
    confirmation = [m for m in api.outbox("tora@kommune.example") if "invitasjon.ics" in m["attachments"]]
    assert len(confirmation) == 1 and token in confirmation[0]["text"]
    assert api.get(f"/registration/applications/{r.json()['id']}", params={"token": token}).status_code == 200
