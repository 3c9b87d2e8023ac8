"""Configuration read from the environment, per service.

Several services share one process locally, so a service's own resources are named by
variables carrying the service's name (``SAMLING_REGISTRATION_TABLE``); on Lambda each
function gets the same names from its stage configuration.
"""
from __future__ import annotations

import os

SERVICES = ("registration", "notifications", "certificates", "matching")


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


def table_name(service: str) -> str:
    return env(f"SAMLING_{service.upper()}_TABLE", f"samling-{service}")


def queue_url(service: str) -> str:
    return env(f"SAMLING_{service.upper()}_QUEUE_URL")


def topic_arn() -> str:
    return env("SAMLING_TOPIC_ARN")


def bucket() -> str:
    return env("SAMLING_CERTIFICATES_BUCKET", "samling-certificates")


def sender() -> str:
    return env("SAMLING_SENDER", "Samling <ikkje-svar@samling.example>")


def public_url() -> str:
    """Base URL people open from their mail (links in mails, verification URLs)."""
    return env("SAMLING_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-north-1"
