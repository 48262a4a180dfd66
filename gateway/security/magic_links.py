"""Magic links that are never stored.

The login token of a magic link is never persisted: the queued WhatsApp message carries only a
placeholder ``{enlace:<nonce>}``; the token is ``nonce + "." + HMAC(secret, nonce)``, derived
again by the outbound dispatcher right before sending (see ``outbound_renderer``). The event
store and the read models hold the nonce (useless without the server secret) and the MagicLink
aggregate holds only the SHA-256 of the token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Any

MAGIC_LINK_KIND = "magic_link"
MAGIC_LINK_MARKER = "[enlace de acceso]"
_MAGIC_PLACEHOLDER = re.compile(r"\{enlace:([A-Za-z0-9_\-]{16,64})\}")


def new_magic_nonce() -> str:
    """A URL-safe random nonce (144 bits) that names one magic link."""
    return secrets.token_urlsafe(18)


def magic_token(secret: str, nonce: str) -> str:
    """The login token of the link named ``nonce``: ``nonce.base64url(HMAC-SHA256(secret, "magic-link:" + nonce))``."""
    mac = hmac.new(secret.encode("utf-8"), f"magic-link:{nonce}".encode("utf-8"), hashlib.sha256).digest()
    return f"{nonce}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode('ascii')}"


def magic_link_placeholder(nonce: str) -> str:
    """What the queued message carries instead of the link (rendered only when sending)."""
    if not _MAGIC_PLACEHOLDER.fullmatch("{enlace:" + nonce + "}"):
        raise ValueError("invalid magic-link nonce")
    return "{enlace:" + nonce + "}"


def render_magic_links(text: str, *, secret: str, base_url: str) -> str:
    """Replace every placeholder with the real login URL (only ever done right before sending).

    The token goes in the URL fragment (``/login#token=...``): browsers never send a fragment to the
    server, so it never reaches an access log, a proxy log or a Referer header."""
    base = base_url.rstrip("/")
    return _MAGIC_PLACEHOLDER.sub(lambda m: f"{base}/login#token={magic_token(secret, m.group(1))}", text)


def mask_magic_links(text: str) -> str:
    """Readable form of a stored message: the placeholder becomes «[enlace de acceso]»."""
    return _MAGIC_PLACEHOLDER.sub(MAGIC_LINK_MARKER, text) if isinstance(text, str) else text


def outbound_renderer(secret: str, base_url: str) -> Any:
    """The dispatcher's ``render_body(kind, body)`` hook: links are rendered in magic-link messages
    only (a placeholder echoed into any other message stays inert)."""

    def render_body(kind: str, body: str) -> str:
        if kind != MAGIC_LINK_KIND or not isinstance(body, str):
            return body
        return render_magic_links(body, secret=secret, base_url=base_url)

    return render_body


def new_magic_token() -> str:
    """A URL-safe random token (256 bits) for a magic link."""
    return secrets.token_urlsafe(32)
