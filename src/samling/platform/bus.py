"""Publishing messages: domain events to the SNS topic, mail requests straight to notifications."""
from __future__ import annotations

from samling.contracts import EmailRequested, Envelope, Message, envelope
from samling.platform import aws, clock, settings


def publish(message: Message, *, event_id: str | None) -> Envelope:
    env = envelope(message, event_id=event_id, occurred_at=clock.now())
    aws.client("sns").publish(
        TopicArn=settings.topic_arn(), Message=env.model_dump_json(),
        MessageAttributes={"type": {"DataType": "String", "StringValue": env.type}})
    return env


def request_email(mail: EmailRequested, *, event_id: str | None) -> Envelope:
    env = envelope(mail, event_id=event_id, occurred_at=clock.now())
    aws.client("sqs").send_message(QueueUrl=settings.queue_url("notifications"),
                                   MessageBody=env.model_dump_json())
    return env


def request_emails(mails: list[EmailRequested], *, event_id: str | None) -> None:
    """Batches of ten, the most SQS takes in one call."""
    sqs = aws.client("sqs")
    for start in range(0, len(mails), 10):
        entries = [{"Id": str(i),
                    "MessageBody": envelope(m, event_id=event_id, occurred_at=clock.now()).model_dump_json()}
                   for i, m in enumerate(mails[start:start + 10])]
        out = sqs.send_message_batch(QueueUrl=settings.queue_url("notifications"), Entries=entries)
        if out.get("Failed"):
            raise RuntimeError(f"SQS refused {len(out['Failed'])} mail requests: {out['Failed']}")
