"""Random secrets handed to clients (API tokens, device credentials).

A secret is shown to its owner once, as ``<lookup>.<secret>``. The lookup part
finds the row through a unique index; only the SHA-256 of the secret part is
stored, and it is compared in constant time. A fast unsalted hash is enough
here because the secret is 256 random bits, not a password someone chose: no
dictionary or brute force gets anywhere near it, so stretching would only cost
every request time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any, NamedTuple

__all__ = ["DIGEST_LENGTH", "LOOKUP_LENGTH", "NewSecret", "digest", "matches", "new", "split"]

# 96 random bits: collisions of the unique lookup column are out of reach.
LOOKUP_LENGTH = 24
DIGEST_LENGTH = 64
_SECRET_BYTES = 32
_FORMAT = re.compile(r"([0-9a-f]{24})\.([A-Za-z0-9_-]{43})")


class NewSecret(NamedTuple):
    lookup: str
    digest: str
    raw: str  # what the client gets, once


def new() -> NewSecret:
    lookup = secrets.token_hex(LOOKUP_LENGTH // 2)
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    return NewSecret(lookup, digest(secret), f"{lookup}.{secret}")


def split(raw: Any) -> tuple[str, str] | None:
    """(lookup, secret) of a well-formed secret, else None (no query for garbage)."""
    if not isinstance(raw, str):
        return None
    match = _FORMAT.fullmatch(raw)
    return (match[1], match[2]) if match else None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(stored_digest: str, secret: str) -> bool:
    return hmac.compare_digest(stored_digest, digest(secret))
