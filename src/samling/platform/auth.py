"""Who is an organiser: a bearer token whose SHA-256 is among the configured hashes.

Hashes come from the SSM parameter named by ``SAMLING_ORGANISER_TOKEN_PARAMETER`` (a
SecureString of comma-separated SHA-256 hex digests; the local platform writes it into moto, so
the same path runs locally and on AWS), and optionally from ``SAMLING_ORGANISER_TOKEN_HASHES``.
Plain tokens are never configured anywhere a function can read them.
"""
from __future__ import annotations

import hmac
import os
import time

from samling.platform import aws
from samling.platform.ids import hash_token

_cache: tuple[float, tuple[str, ...]] | None = None
CACHE_SECONDS = 60


def _configured_hashes() -> tuple[str, ...]:
    global _cache
    hashes = [h.strip() for h in os.environ.get("SAMLING_ORGANISER_TOKEN_HASHES", "").split(",") if h.strip()]
    parameter = os.environ.get("SAMLING_ORGANISER_TOKEN_PARAMETER")
    if parameter:
        if _cache is None or time.monotonic() - _cache[0] > CACHE_SECONDS:
            value = aws.client("ssm").get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]
            _cache = (time.monotonic(), tuple(h.strip() for h in value.split(",") if h.strip()))
        hashes.extend(_cache[1])
    return tuple(hashes)


def forget() -> None:
    """Drop cached hashes (after the parameter changed)."""
    global _cache
    _cache = None


def bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def is_organiser(authorization: str | None) -> bool:
    token = bearer(authorization)
    if not token:
        return False
    presented = hash_token(token)
    # compare against every hash so the time taken does not tell which one matched
    matched = False
    for stored in _configured_hashes():
        matched |= hmac.compare_digest(presented, stored)
    return matched
