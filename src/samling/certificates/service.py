"""Certificates' use cases: attendance, issuing, download and verification."""
from __future__ import annotations

from typing import Any

from samling.contracts import Envelope
from samling.participants import ParticipantProjection
from samling.platform.errors import ApiError

SERVICE = "certificates"


def projection() -> ParticipantProjection:
    return ParticipantProjection(SERVICE)


def handle(env: Envelope) -> None:
    projection().apply(env)


def record_attendance(event_id: str, payload: Any, lang: str) -> dict:
    raise ApiError("not_found")


def issue(event_id: str, lang: str) -> dict:
    raise ApiError("not_found")


def listing(event_id: str, lang: str) -> list:
    raise ApiError("not_found")


def download(file_name: str, token: str | None, lang: str) -> Any:
    raise ApiError("not_found")


def verify(code: str, wants_html: bool, lang: str) -> Any:
    return {"valid": False}
