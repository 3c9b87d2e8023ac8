"""A small typed seam over one DynamoDB table: items are (pk, sk) with a JSON document.

Service stores build on this; nothing else talks to DynamoDB. Documents are kept as one JSON
attribute so domain data keeps its shape; keys and a few index attributes sit beside it.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from samling.platform import aws, settings


class ConditionFailed(Exception):
    """A conditional write lost: the item exists already, or changed under us."""


class Table:
    def __init__(self, service: str) -> None:
        self.service = service

    @property
    def _client(self) -> Any:
        return aws.client("dynamodb")

    @property
    def name(self) -> str:
        return settings.table_name(self.service)

    @staticmethod
    def _item(pk: str, sk: str, doc: Mapping[str, Any], index: Mapping[str, str] | None) -> dict:
        item = {"pk": {"S": pk}, "sk": {"S": sk},
                "doc": {"S": json.dumps(doc, ensure_ascii=False, default=str)}}
        for key, value in (index or {}).items():
            if value is not None:
                item[key] = {"S": value}
        return item

    def put(self, pk: str, sk: str, doc: Mapping[str, Any], *, index: Mapping[str, str] | None = None,
            if_absent: bool = False, if_version: int | None = None) -> None:
        """Write a document; ``if_absent`` or ``if_version`` make it conditional."""
        kwargs: dict[str, Any] = {"TableName": self.name, "Item": self._item(pk, sk, doc, index)}
        if if_absent:
            kwargs["ConditionExpression"] = "attribute_not_exists(pk)"
        elif if_version is not None:
            kwargs["ConditionExpression"] = "attribute_not_exists(pk) OR version = :v"
            kwargs["ExpressionAttributeValues"] = {":v": {"N": str(if_version)}}
        if if_version is not None:
            kwargs["Item"]["version"] = {"N": str(if_version + 1)}
        try:
            self._client.put_item(**kwargs)
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            raise ConditionFailed(f"{pk}/{sk}") from exc

    def get(self, pk: str, sk: str) -> dict | None:
        found = self._client.get_item(TableName=self.name, ConsistentRead=True,
                                      Key={"pk": {"S": pk}, "sk": {"S": sk}}).get("Item")
        return json.loads(found["doc"]["S"]) if found else None

    def get_versioned(self, pk: str, sk: str) -> tuple[dict | None, int]:
        found = self._client.get_item(TableName=self.name, ConsistentRead=True,
                                      Key={"pk": {"S": pk}, "sk": {"S": sk}}).get("Item")
        if not found:
            return None, 0
        return json.loads(found["doc"]["S"]), int(found.get("version", {}).get("N", "0"))

    def delete(self, pk: str, sk: str) -> None:
        self._client.delete_item(TableName=self.name, Key={"pk": {"S": pk}, "sk": {"S": sk}})

    def query(self, pk: str, prefix: str = "") -> list[dict]:
        return [doc for _, doc in self.query_items(pk, prefix)]

    def query_items(self, pk: str, prefix: str = "") -> Iterator[tuple[str, dict]]:
        kwargs: dict[str, Any] = {
            "TableName": self.name, "ConsistentRead": True,
            "KeyConditionExpression": "pk = :pk" + (" AND begins_with(sk, :p)" if prefix else ""),
            "ExpressionAttributeValues": {":pk": {"S": pk}, **({":p": {"S": prefix}} if prefix else {})},
        }
        while True:
            page = self._client.query(**kwargs)
            for item in page.get("Items", []):
                yield item["sk"]["S"], json.loads(item["doc"]["S"])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def counter(self, pk: str, sk: str, by: int = 1) -> int:
        """Atomically add ``by`` to a counter item and return the new value."""
        out = self._client.update_item(
            TableName=self.name, Key={"pk": {"S": pk}, "sk": {"S": sk}},
            UpdateExpression="ADD n :by", ExpressionAttributeValues={":by": {"N": str(by)}},
            ReturnValues="UPDATED_NEW")
        return int(out["Attributes"]["n"]["N"])

    def read_counter(self, pk: str, sk: str) -> int:
        found = self._client.get_item(TableName=self.name, ConsistentRead=True,
                                      Key={"pk": {"S": pk}, "sk": {"S": sk}}).get("Item")
        return int(found["n"]["N"]) if found and "n" in found else 0

    def bounded_increment(self, pk: str, sk: str, limit: int) -> bool:
        """Add one to a counter only while it stays at or below ``limit`` (a seat taken)."""
        try:
            self._client.update_item(
                TableName=self.name, Key={"pk": {"S": pk}, "sk": {"S": sk}},
                UpdateExpression="ADD n :one",
                ConditionExpression="attribute_not_exists(n) OR n < :limit",
                ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)}})
            return True
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
