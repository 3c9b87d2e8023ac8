"""Identifiers and secrets."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time


def new_id(prefix: str = "") -> str:
    """Sortable by creation time (for stable listings), unguessable in the rest."""
    return f"{prefix}{time.time_ns():x}{secrets.token_hex(6)}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str | None, stored_hash: str | None) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    if not token or not stored_hash:
        return False
    return hmac.compare_digest(hash_token(token), stored_hash)


def email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def derived_token(secret: bytes, purpose: str, subject: str) -> str:
    """A link token the service can mail again without keeping it: HMAC of what it opens.

    Only ``hash_token`` of it is stored, as for any token; the secret lives in SSM.
    """
    import base64

    digest = hmac.new(secret, f"{purpose}:{subject}".encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
