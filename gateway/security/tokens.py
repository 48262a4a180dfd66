"""Parlo's JWTs (HS256, signed with ``PARLO_SECRET_KEY``) and the admin password check.

- staff/owner tokens (7 days): ``sub`` = staff id, ``org`` = organization id, ``perm`` = permission level;
- admin tokens (12 hours): ``sub`` = admin name, no organization: they may act on every organization;
- impersonation tokens (2 hours): an admin acting inside one organization (``imp`` = true).

Expiry is checked against the commands' clock, so tests (and replays) see one time.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
from fastapi import HTTPException

from gateway.security.principals import Principal

ALGORITHM = "HS256"
ISSUER = "parlo"
STAFF_TOKEN_TTL = timedelta(days=7)
ADMIN_TOKEN_TTL = timedelta(hours=12)
IMPERSONATION_TOKEN_TTL = timedelta(hours=2)
ADMIN_NAME = "admin"

INVALID_TOKEN = "Tu sesión no es válida o ya venció; inicia sesión de nuevo."


def passwords_match(given: str, expected: str | None) -> bool:
    """Constant-time comparison; False when no admin password is configured."""
    if not expected or not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class TokenService:
    """Issues and verifies Parlo JWTs. ``clock`` makes expiry testable (same clock as the commands)."""

    def __init__(self, secret: str, clock: Any = None) -> None:
        self._secret = secret
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def now(self) -> datetime:
        return self._clock().astimezone(timezone.utc)

    def _encode(self, claims: dict[str, Any], ttl: timedelta) -> tuple[str, datetime]:
        issued = self.now()
        expires = issued + ttl
        payload = {
            **claims,
            "iss": ISSUER,
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM), expires

    def issue_staff(self, *, staff_id: uuid.UUID, organization_id: uuid.UUID, permission_level: str) -> tuple[str, datetime]:
        return self._encode(
            {"typ": "staff", "sub": str(staff_id), "org": str(organization_id), "perm": permission_level, "imp": False},
            STAFF_TOKEN_TTL,
        )

    def issue_admin(self, name: str = ADMIN_NAME) -> tuple[str, datetime]:
        return self._encode({"typ": "admin", "sub": name, "imp": False}, ADMIN_TOKEN_TTL)

    def issue_impersonation(self, *, admin_name: str, organization_id: uuid.UUID) -> tuple[str, datetime]:
        return self._encode(
            {"typ": "admin", "sub": admin_name, "org": str(organization_id), "perm": "owner", "imp": True},
            IMPERSONATION_TOKEN_TTL,
        )

    def verify(self, token: str) -> Principal:
        """Decode and check a token; raise HTTPException(401) in Spanish when it is not valid."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "typ"], "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            raise unauthorized(INVALID_TOKEN) from None
        # Expiry is checked against our clock (the same one the commands use), not the wall clock.
        try:
            expires_at = datetime.fromtimestamp(int(claims["exp"]), timezone.utc)
            org = uuid.UUID(claims["org"]) if claims.get("org") else None
            kind = claims["typ"]
            if kind == "staff":
                staff_id = uuid.UUID(claims["sub"])
                if org is None:
                    raise ValueError("staff token without organization")
            elif kind == "admin":
                staff_id = None
            else:
                raise ValueError("unknown token type")
        except (ValueError, TypeError, KeyError):
            raise unauthorized(INVALID_TOKEN) from None
        if self.now() >= expires_at:
            raise unauthorized(INVALID_TOKEN)
        return Principal(
            kind=kind,
            subject=str(claims["sub"]),
            organization_id=org,
            staff_id=staff_id,
            permission_level=claims.get("perm"),
            impersonated=bool(claims.get("imp")),
            token_id=str(claims.get("jti", "")),
            expires_at=expires_at,
        )


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})
