"""Helpers about the shape of API keys."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.services.apikeys import create_key


def secret_of(plaintext: str) -> str:
    """The random part of a key: what follows "vouch_<prefix>_"."""
    return plaintext.split("_", 2)[2]


def key_with_underscore(session: Session, role: str = "admin") -> str:
    """A new key whose random part contains an underscore (token_urlsafe's alphabet has one)."""
    for _ in range(200):
        _, plaintext = create_key(session=session, role=role)
        if "_" in secret_of(plaintext):
            return plaintext
    raise AssertionError("200 keys in a row had no underscore in their random part")
