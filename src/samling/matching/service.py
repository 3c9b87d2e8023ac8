"""Matching's use cases: its participant projection, forming groups, pairing rounds."""
from __future__ import annotations

from typing import Any

from samling.contracts import Envelope
from samling.participants import ParticipantProjection
from samling.platform.errors import ApiError

SERVICE = "matching"


def projection() -> ParticipantProjection:
    return ParticipantProjection(SERVICE)


def handle(env: Envelope) -> None:
    projection().apply(env)


def last_groups(event_id: str, lang: str) -> dict:
    raise ApiError("not_found")


def form(event_id: str, payload: Any, lang: str) -> dict:
    raise ApiError("not_found")


def rounds(event_id: str, lang: str) -> dict:
    raise ApiError("not_found")


def pair(event_id: str, payload: Any, lang: str) -> dict:
    raise ApiError("not_found")
