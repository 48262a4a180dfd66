"""Login throttles: moving-window limits from the ``limits`` library, shared through Redis.

When ``PARLO_REDIS_URL`` answers a ping at startup the counters live in Redis (keys under
``PARLO_THROTTLE_PREFIX``), so every web process sees the same attempts; otherwise (and whenever
Redis fails later) an in-process memory storage of the same library keeps them. A Redis outage
therefore never disables a limit: each process goes on counting on its own until Redis is back.

Windows run on the wall clock (the storage's own time), not on the commands' clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger("parlo.security.throttle")

WINDOW_MINUTES = 15
# Admin password: failures per (account, client address) and per account from every address.
# One address can only lock itself out; the account-wide cap bounds guessing spread over many
# addresses (someone would need 10+ addresses to reach it).
ADMIN_LOGIN_FAILURES_PER_CLIENT = 10
ADMIN_LOGIN_FAILURES_PER_ACCOUNT = 100
# Magic links: requests per phone, and per client address (one client asking for many phones).
MAGIC_LINKS_PER_PHONE = 5
MAGIC_LINKS_PER_CLIENT = 30


def _redacted(url: str) -> str:
    """A Redis URL fit for a log line: host, port and db, never the password."""
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.hostname or ''}:{parts.port or ''}{parts.path}"
    except ValueError:
        return "redis://?"


def open_storage(redis_url: str | None, prefix: str) -> tuple[Storage, str]:
    """Redis when it answers a ping (short timeouts), else memory. Returns (storage, "redis"|"memory")."""
    if redis_url:
        try:
            storage = RedisStorage(
                redis_url, key_prefix=prefix, wrap_exceptions=True, socket_connect_timeout=0.5, socket_timeout=1.0
            )
            if storage.check():
                return storage, "redis"
        except Exception:  # noqa: BLE001 - bad URL or refused connection: fall back, never fail startup
            pass
        log.warning("login throttles: Redis at %s is not reachable; counting in this process only", _redacted(redis_url))
    return MemoryStorage(), "memory"


@dataclass(frozen=True)
class Limit:
    """``limit`` hits per ``minutes`` for one purpose (the key namespace)."""

    name: str
    limit: int
    minutes: int = WINDOW_MINUTES

    @property
    def item(self) -> RateLimitItem:
        return RateLimitItemPerMinute(self.limit, self.minutes, namespace=f"parlo-{self.name}")


class Throttles:
    """All the login limits of one web process over one storage (with a memory fallback)."""

    def __init__(self, storage: Storage, backend: str = "memory") -> None:
        self.backend = backend
        self._limiter = MovingWindowRateLimiter(storage)
        self._fallback = MovingWindowRateLimiter(MemoryStorage()) if backend != "memory" else self._limiter

    @classmethod
    def open(cls, redis_url: str | None, prefix: str) -> Throttles:
        storage, backend = open_storage(redis_url, prefix)
        return cls(storage, backend)

    def _call(self, method: str, limit: Limit, identifiers: tuple[str, ...]) -> bool:
        try:
            return bool(getattr(self._limiter, method)(limit.item, *identifiers))
        except Exception:  # noqa: BLE001 - Redis went away: count in memory, keep protecting
            log.warning("login throttles: storage error on %s; using the in-process fallback", limit.name)
            return bool(getattr(self._fallback, method)(limit.item, *identifiers))

    def allow(self, limit: Limit, *identifiers: str) -> bool:
        """Count one attempt unless over the limit; True when it was allowed."""
        return self._call("hit", limit, identifiers)

    def blocked(self, limit: Limit, *identifiers: str) -> bool:
        """Over the limit (nothing counted)."""
        return not self._call("test", limit, identifiers)

    def record(self, limit: Limit, *identifiers: str) -> None:
        """Count one attempt (e.g. a failed password)."""
        self._call("hit", limit, identifiers)

    def clear(self, limit: Limit, *identifiers: str) -> None:
        try:
            self._limiter.clear(limit.item, *identifiers)
        except Exception:  # noqa: BLE001
            log.warning("login throttles: could not clear %s", limit.name)
        if self._fallback is not self._limiter:
            self._fallback.clear(limit.item, *identifiers)


ADMIN_LOGIN_PER_CLIENT = Limit("admin-login-client", ADMIN_LOGIN_FAILURES_PER_CLIENT)
ADMIN_LOGIN_PER_ACCOUNT = Limit("admin-login-account", ADMIN_LOGIN_FAILURES_PER_ACCOUNT)
MAGIC_LINK_PER_PHONE = Limit("magic-link-phone", MAGIC_LINKS_PER_PHONE)
MAGIC_LINK_PER_CLIENT = Limit("magic-link-client", MAGIC_LINKS_PER_CLIENT)
