"""The admin-login throttle: per account and per client, forwarded headers only from trusted proxies,
shared between web processes through Redis (and still working without Redis)."""

from __future__ import annotations

import pytest

from gateway.security.throttle import ADMIN_LOGIN_FAILURES_PER_ACCOUNT, ADMIN_LOGIN_FAILURES_PER_CLIENT
from security_support import ADMIN_LOGIN, ADMIN_PASSWORD, LOCAL_REDIS, UNREACHABLE_REDIS, served

WRONG = {"password": "adivina-adivinador"}
RIGHT = {"password": ADMIN_PASSWORD}


def xff(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


@pytest.fixture(params=["redis", "memory"])
def redis_url(request) -> str:
    return LOCAL_REDIS if request.param == "redis" else UNREACHABLE_REDIS


def test_a_forged_forwarded_for_does_not_reset_the_count(security_seeded, tmp_path, clock, redis_url):
    # No proxy configured (the default): X-Forwarded-For is the caller's own claim and is ignored.
    with served(security_seeded, tmp_path, clock, PARLO_REDIS_URL=redis_url) as stack, stack.client("127.0.0.1") as client:
        for n in range(ADMIN_LOGIN_FAILURES_PER_CLIENT):
            assert client.post(ADMIN_LOGIN, json=WRONG, headers=xff(f"203.0.113.{n + 1}")).status_code == 401
        refused = client.post(ADMIN_LOGIN, json=RIGHT, headers=xff("198.51.100.99"))
        assert refused.status_code == 429 and "Demasiados intentos" in refused.json()["detail"]
        # another real client is not locked out by this one
        with stack.client("192.0.2.10") as other:
            assert other.post(ADMIN_LOGIN, json=RIGHT).status_code == 200


def test_behind_a_trusted_proxy_one_client_cannot_lock_out_the_others(security_seeded, tmp_path, clock, redis_url):
    env = {"PARLO_REDIS_URL": redis_url, "PARLO_TRUSTED_PROXIES": "127.0.0.1"}
    with served(security_seeded, tmp_path, clock, **env) as stack, stack.client("127.0.0.1") as proxy:
        # Every request arrives from the same-host proxy, which names the real client.
        for _ in range(ADMIN_LOGIN_FAILURES_PER_CLIENT):
            assert proxy.post(ADMIN_LOGIN, json=WRONG, headers=xff("203.0.113.5")).status_code == 401
        assert proxy.post(ADMIN_LOGIN, json=RIGHT, headers=xff("203.0.113.5")).status_code == 429
        assert proxy.post(ADMIN_LOGIN, json=RIGHT, headers=xff("198.51.100.7")).status_code == 200
        # A client prepending its own X-Forwarded-For entry is still identified by what the proxy appended.
        assert proxy.post(ADMIN_LOGIN, json=RIGHT, headers=xff("198.51.100.7, 203.0.113.5")).status_code == 429
        # An untrusted peer's forwarded header is ignored.
    with served(security_seeded, tmp_path / "b", clock, **env) as stack, stack.client("192.0.2.44") as direct:
        for n in range(ADMIN_LOGIN_FAILURES_PER_CLIENT):
            assert direct.post(ADMIN_LOGIN, json=WRONG, headers=xff(f"203.0.113.{n + 1}")).status_code == 401
        assert direct.post(ADMIN_LOGIN, json=RIGHT, headers=xff("198.51.100.8")).status_code == 429


def test_a_success_forgets_that_clients_earlier_failures(security_seeded, tmp_path, clock):
    with served(security_seeded, tmp_path, clock) as stack, stack.client("192.0.2.20") as client:
        for _ in range(ADMIN_LOGIN_FAILURES_PER_CLIENT - 1):
            assert client.post(ADMIN_LOGIN, json=WRONG).status_code == 401
        assert client.post(ADMIN_LOGIN, json=RIGHT).status_code == 200
        for _ in range(ADMIN_LOGIN_FAILURES_PER_CLIENT - 1):
            assert client.post(ADMIN_LOGIN, json=WRONG).status_code == 401
        assert client.post(ADMIN_LOGIN, json=RIGHT).status_code == 200


def test_guessing_spread_over_many_addresses_hits_the_account_limit(security_seeded, tmp_path, clock, redis_url):
    env = {"PARLO_REDIS_URL": redis_url, "PARLO_TRUSTED_PROXIES": "127.0.0.1"}
    with served(security_seeded, tmp_path, clock, **env) as stack, stack.client("127.0.0.1") as proxy:
        for n in range(ADMIN_LOGIN_FAILURES_PER_ACCOUNT):
            address = f"203.0.{n // ADMIN_LOGIN_FAILURES_PER_CLIENT}.{n % ADMIN_LOGIN_FAILURES_PER_CLIENT + 1}"
            assert proxy.post(ADMIN_LOGIN, json=WRONG, headers=xff(address)).status_code == 401
        assert proxy.post(ADMIN_LOGIN, json=RIGHT, headers=xff("198.51.100.200")).status_code == 429


def test_two_web_processes_share_the_count_through_redis(security_seeded, tmp_path, clock, monkeypatch):
    with served(security_seeded, tmp_path / "one", clock, PARLO_REDIS_URL=LOCAL_REDIS) as one, served(
        security_seeded, tmp_path / "two", clock, PARLO_REDIS_URL=LOCAL_REDIS
    ) as two, one.client("192.0.2.30") as first, two.client("192.0.2.30") as second:
        half = ADMIN_LOGIN_FAILURES_PER_CLIENT // 2
        for _ in range(half):
            assert first.post(ADMIN_LOGIN, json=WRONG).status_code == 401
        for _ in range(ADMIN_LOGIN_FAILURES_PER_CLIENT - half):
            assert second.post(ADMIN_LOGIN, json=WRONG).status_code == 401
        assert first.post(ADMIN_LOGIN, json=RIGHT).status_code == 429
        assert second.post(ADMIN_LOGIN, json=RIGHT).status_code == 429
        assert one.app.state.parlo_throttles.backend == two.app.state.parlo_throttles.backend == "redis"
