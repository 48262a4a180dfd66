"""The login throttles (limits library): shared through the real local Redis, in memory without it."""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid

import pytest
import redis

from gateway.security.throttle import Limit, Throttles
from security_support import LOCAL_REDIS, UNREACHABLE_REDIS, wall_clock_ahead

THREE = Limit("test-three", 3)


@pytest.fixture
def prefix():
    """A key prefix of this test's own on the shared Redis; its keys are removed afterwards."""
    name = f"parlo-test-throttle:{uuid.uuid4().hex}"
    yield name
    client = redis.Redis.from_url(LOCAL_REDIS)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)
    client.close()


@pytest.fixture(params=["redis", "memory"])
def throttles(request, prefix) -> Throttles:
    url = LOCAL_REDIS if request.param == "redis" else UNREACHABLE_REDIS
    opened = Throttles.open(url, prefix)
    assert opened.backend == request.param
    return opened


def test_a_key_is_blocked_after_its_limit_until_the_window_passes(throttles):
    assert [throttles.allow(THREE, "admin", "203.0.113.5") for _ in range(4)] == [True, True, True, False]
    assert throttles.blocked(THREE, "admin", "203.0.113.5")
    # other keys are counted on their own
    assert not throttles.blocked(THREE, "admin", "198.51.100.7")
    assert throttles.allow(THREE, "admin", "198.51.100.7")
    with wall_clock_ahead(15 * 60 + 1):
        assert not throttles.blocked(THREE, "admin", "203.0.113.5")
        assert throttles.allow(THREE, "admin", "203.0.113.5")


def test_record_counts_without_asking_and_clear_forgets(throttles):
    for _ in range(3):
        throttles.record(THREE, "acct")
    assert throttles.blocked(THREE, "acct")
    throttles.clear(THREE, "acct")
    assert not throttles.blocked(THREE, "acct")


def test_several_processes_share_the_counts_through_redis(prefix):
    """Two web processes (two Throttles on the same Redis and prefix) see each other's attempts."""
    first, second = Throttles.open(LOCAL_REDIS, prefix), Throttles.open(LOCAL_REDIS, prefix)
    assert first.backend == second.backend == "redis"
    first.record(THREE, "admin", "203.0.113.5")
    second.record(THREE, "admin", "203.0.113.5")
    first.record(THREE, "admin", "203.0.113.5")
    assert second.blocked(THREE, "admin", "203.0.113.5")
    keys = [k.decode() for k in redis.Redis.from_url(LOCAL_REDIS).scan_iter(f"{prefix}:*")]
    assert keys and all(k.startswith(prefix + ":") for k in keys)
    # another prefix (another deployment, another test) is not affected
    assert not Throttles.open(LOCAL_REDIS, prefix + "-other").blocked(THREE, "admin", "203.0.113.5")


def test_memory_fallback_is_per_process():
    first, second = Throttles.open(UNREACHABLE_REDIS, "x"), Throttles.open(None, "x")
    assert first.backend == second.backend == "memory"
    for _ in range(3):
        first.record(THREE, "k")
    assert first.blocked(THREE, "k") and not second.blocked(THREE, "k")


def test_a_redis_failure_later_falls_back_to_memory_and_keeps_limiting(prefix):
    """Redis answers at startup, then goes away (a loopback relay to the real Redis is shut)."""
    with redis_relay() as url:
        throttles = Throttles.open(url, prefix)
        assert throttles.backend == "redis"
        assert throttles.allow(THREE, "k")
    # The relay is gone: every call fails over to the in-process storage and the limit still holds.
    assert [throttles.allow(THREE, "k") for _ in range(4)] == [True, True, True, False]
    assert throttles.blocked(THREE, "k")


@contextlib.contextmanager
def redis_relay():
    """A TCP relay on a loopback port to the local Redis; closing it is Redis going away."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    sockets: list[socket.socket] = [listener]
    stop = threading.Event()

    def pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def accept() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", 6379))
            sockets.extend([client, upstream])
            threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop.set()
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        acceptor.join(timeout=5)


def test_an_unreachable_redis_is_logged_without_its_password(caplog):
    with caplog.at_level("WARNING", logger="parlo.security.throttle"):
        opened = Throttles.open("redis://parlo:s3cr3t-Redis-pw@127.0.0.1:1/2", "x")
    assert opened.backend == "memory"
    text = caplog.text
    assert "127.0.0.1:1/2" in text and "s3cr3t" not in text and "Redis-pw" not in text
