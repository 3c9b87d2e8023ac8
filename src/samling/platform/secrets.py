"""The server-side secret that link tokens are derived from (see ``ids.derived_token``).

Read from the SSM SecureString named by ``SAMLING_LINK_SECRET_PARAMETER`` (the local platform
writes one into moto at start), cached for the life of the function.
"""
from __future__ import annotations

import os

from samling.platform import aws

_secret: tuple[str, bytes] | None = None


def link_secret() -> bytes:
    global _secret
    name = os.environ.get("SAMLING_LINK_SECRET_PARAMETER")
    if not name:
        raise RuntimeError("SAMLING_LINK_SECRET_PARAMETER is not set")
    if _secret is None or _secret[0] != name:
        value = aws.client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        _secret = (name, value.encode("utf-8"))
    return _secret[1]


def forget() -> None:
    global _secret
    _secret = None
