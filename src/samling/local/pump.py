"""Queue pollers with Lambda's SQS semantics, which ``chalice local`` does not have.

A batch of up to ``batch_size`` records goes to the handler; the records it reports in
``batchItemFailures`` (or all of them, if it raises) become visible again for a retry, the rest
are deleted. SQS itself moves a message to the dead-letter queue after ``maxReceiveCount``
receives. Failed records are made visible at once rather than after the visibility timeout, so
a local drain does not wait minutes for a retry.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

from samling.platform import aws

log = logging.getLogger("samling.pump")


class LambdaContext:
    def __init__(self, name: str) -> None:
        self.function_name = name
        self.memory_limit_in_mb = 256
        self.aws_request_id = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 180_000


class QueuePump:
    def __init__(self, service: str, queue_url: str, handler: Any, batch_size: int = 10) -> None:
        self.service = service
        self.queue_url = queue_url
        self.queue_arn = ""
        self.handler = handler
        self.batch_size = max(1, min(batch_size, 10))
        self.lock = threading.Lock()
        self.processed = 0
        self.failed = 0

    def _arn(self) -> str:
        if not self.queue_arn:
            attrs = aws.client("sqs").get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])
            self.queue_arn = attrs["Attributes"]["QueueArn"]
        return self.queue_arn

    def poll_once(self) -> int:
        """Receive and handle one batch; the number of records handled."""
        with self.lock:
            sqs = aws.client("sqs")
            got = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=self.batch_size,
                                      WaitTimeSeconds=0, VisibilityTimeout=60,
                                      AttributeNames=["All"], MessageAttributeNames=["All"])
            messages = got.get("Messages", [])
            if not messages:
                return 0
            event = {"Records": [self._record(m) for m in messages]}
            try:
                result = self.handler(event, LambdaContext(f"samling-{self.service}"))
                failed_ids = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
            except Exception:
                log.exception("%s handler raised; the whole batch will be retried", self.service)
                failed_ids = {m["MessageId"] for m in messages}
            done = [m for m in messages if m["MessageId"] not in failed_ids]
            retry = [m for m in messages if m["MessageId"] in failed_ids]
            if done:
                sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
            if retry:
                sqs.change_message_visibility_batch(QueueUrl=self.queue_url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                    for i, m in enumerate(retry)])
            self.processed += len(done)
            self.failed += len(retry)
            return len(messages)

    def _record(self, m: dict) -> dict:
        return {
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
            "md5OfBody": hashlib.md5(m["Body"].encode("utf-8")).hexdigest(),
            "eventSource": "aws:sqs", "eventSourceARN": self._arn(), "awsRegion": "local",
        }

    def depth(self) -> int:
        attrs = aws.client("sqs").get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])
