"""Production jobs: the webhook enqueues arq jobs on the real Redis (DB 5); a burst worker runs them."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis

from commands import Actor
from commands.definitions import RecordInboundMessage
from infra.worker import FUNCTIONS, ArqJobs, sweep
from wa_support import CUSTOMER, REDIS_URL, Stack, postgres_available


def _redis_ok() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL).ping())
    except Exception:  # noqa: BLE001
        return False


@pytest.fixture
def arq_stack(request):
    if not postgres_available() or not _redis_ok():
        pytest.skip("PostgreSQL or Redis not reachable")
    queue = f"parlo:test5g:{uuid.uuid4().hex[:8]}"
    s = Stack(request.node.name, jobs=lambda c: ArqJobs(REDIS_URL, queue_name=queue, clock=c.clock))
    s.queue = queue
    yield s
    s.close()
    r = redis.Redis.from_url(REDIS_URL)
    for key in r.scan_iter(f"{queue}*"):
        r.delete(key)


def _run_worker(stack: Stack, **ctx) -> None:
    from arq import Worker, create_pool
    from arq.connections import RedisSettings

    async def main() -> None:
        pool = await create_pool(RedisSettings.from_dsn(REDIS_URL))
        worker = Worker(
            FUNCTIONS,
            redis_pool=pool,
            queue_name=stack.queue,
            burst=True,
            poll_delay=0.05,
            handle_signals=False,
            max_tries=8,
            keep_result=0,
            ctx={"whatsapp": stack.wa, **ctx},
        )
        try:
            await worker.main()
        finally:
            await worker.close()

    asyncio.run(main())


def test_inbound_messages_are_processed_by_arq_jobs_in_order(arq_stack: Stack) -> None:
    stack = arq_stack
    first, _ = stack.send("Hola")
    second, _ = stack.send("Quiero un corte de cabello")
    assert stack.replies_to(CUSTOMER) == []  # nothing runs in the web process
    # Both jobs were enqueued on Redis (job ids per MessageSid).
    r = redis.Redis.from_url(REDIS_URL)
    assert r.zcard(stack.queue) == 2
    _run_worker(stack)
    assert [o["message_sid"] for o in stack.outcomes] == [first, second]
    expected = [text for o in stack.outcomes for text in o["replies"]]
    assert [m["body"] for m in stack.replies_to(CUSTOMER)] == expected
    assert r.zcard(stack.queue) == 0


def test_the_sweep_re_enqueues_messages_a_dead_worker_left(arq_stack: Stack) -> None:
    stack = arq_stack
    stack.app.execute(
        RecordInboundMessage(
            actor=Actor.system("t"), cause="SMlost", organization_id=stack.demo.organization_id, message_sid="SMlost",
            from_address=f"whatsapp:{CUSTOMER}", to_number="+525512345678", body="Hola",
        )
    )
    stack.container.wait_for(stack.app.recorder.max_notification_id())

    async def run_sweep() -> dict:
        return await sweep({"whatsapp": stack.wa, "inbound_stale_seconds": 0})

    assert asyncio.run(run_sweep()) == {"outbound": 0, "inbound": 1}
    _run_worker(stack)
    assert [o["message_sid"] for o in stack.outcomes] == ["SMlost"]
    assert len(stack.replies_to(CUSTOMER)) >= 1


def test_failed_send_is_retried_by_a_deferred_arq_job(arq_stack: Stack) -> None:
    stack = arq_stack
    stack.twilio.fail_next(2, "500")
    stack.send("Hola")
    _run_worker(stack)
    replies = stack.replies_to(CUSTOMER)
    assert len(replies) == len(stack.outcomes[0]["replies"]) >= 1
    assert stack.app.outbound_message(stack.outcomes[0]["message_ids"][0])["attempts"] == 3
