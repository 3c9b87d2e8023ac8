"""boto3 clients created on first use, never at import.

A client made before moto (or any endpoint override) is in place would talk to real AWS, so
every module asks here, and the cache is keyed by the endpoint in force at that moment.
"""
from __future__ import annotations

import os
import threading
from typing import Any

from samling.platform import settings

_lock = threading.Lock()
_clients: dict[tuple[str, str | None, str], Any] = {}


def client(service: str) -> Any:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    key = (service, endpoint, settings.region())
    found = _clients.get(key)
    if found is not None:
        return found
    with _lock:
        if key not in _clients:
            import boto3
            from botocore.config import Config

            config = Config(retries={"mode": "standard", "max_attempts": 5})
            _clients[key] = boto3.session.Session().client(
                service, region_name=settings.region(), endpoint_url=endpoint, config=config)
        return _clients[key]


def table(service: str) -> Any:
    """The DynamoDB low-level client plus the table name of ``service``."""
    return client("dynamodb"), settings.table_name(service)


def reset() -> None:
    """Forget cached clients (tests switch endpoints)."""
    with _lock:
        _clients.clear()
