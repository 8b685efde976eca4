"""Each webhook's signing secret, and the signature of a delivery's body.

The secret is derived, not stored: HMAC-SHA256 of the server's key over the webhook's id
and a random salt kept in its row. The database alone (a backup, a dump) cannot sign, nor
can the key alone; and no secret is ever written anywhere, so none is shown twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from api.settings import Settings

KEY_FILE = "webhook.key"
SIGNATURE_HEADER = "X-Vouch-Signature"
DELIVERY_HEADER = "X-Vouch-Delivery"
EVENT_HEADER = "X-Vouch-Event"


def new_salt() -> str:
    return secrets.token_hex(16)


def server_key(settings: Settings) -> bytes:
    """VOUCH_WEBHOOK_KEY, else the key kept in the data folder (made on first need)."""
    if settings.webhook_key:
        return settings.webhook_key.encode()
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        _create_key_file(path)
    return path.read_bytes().strip()


def _create_key_file(path: Path) -> None:
    """Written whole beside it, then linked into place: two processes that race agree on
    the first one's key, and nobody reads a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".webhook-key-")
    try:
        os.write(descriptor, secrets.token_hex(32).encode())
        os.close(descriptor)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def secret_for(key: bytes, webhook_id: int, salt: str) -> str:
    digest = hmac.new(key, f"vouch-webhook:{webhook_id}:{salt}".encode(), hashlib.sha256)
    return f"whsec_{digest.hexdigest()}"


def signature(secret: str, body: bytes) -> str:
    """The X-Vouch-Signature header: sha256=<hex HMAC-SHA256 of the raw body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
