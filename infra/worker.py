"""Background jobs on Redis with arq (production): ``parlo worker`` runs them.

- ``process_inbound(org_id, phone, sid)``: handles the conversation's pending inbound messages in
  arrival order under a per-sender Redis lock (a job that finds the lock taken is retried shortly;
  whoever holds it drains every pending message, so order holds across workers).
- ``dispatch_outbound(message_id)``: one send attempt; failed sends are re-enqueued deferred to
  their next attempt time.
- ``sweep`` (cron, every minute): re-enqueues pending outbound messages that are due and
  conversations with stored-but-unprocessed inbound messages (a worker died mid-job: the inbound
  event is stored, so nothing is lost).
- ``send_reminders`` (cron, every 5 minutes): the appointment-reminder sweep
  (gateway/whatsapp/reminders.py); idempotent, so overlapping or repeated runs send nothing twice.
The webhook side enqueues through ``ArqJobs`` (a small event-loop thread owning the Redis pool, so
synchronous code can enqueue).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from arq import Retry, create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.cron import cron

log = logging.getLogger("parlo.worker")
DEFAULT_QUEUE = "parlo:whatsapp"
LOCK_SECONDS = 300


class ArqJobs:
    """The jobs interface of the WhatsApp gateway (enqueue_inbound / enqueue_outbound) over arq."""

    def __init__(self, redis_url: str, *, queue_name: str = DEFAULT_QUEUE, clock: Callable[[], datetime] | None = None) -> None:
        self.redis_settings = RedisSettings.from_dsn(redis_url)
        self.queue_name = queue_name
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pool: ArqRedis | None = None
        self._guard = threading.Lock()

    def _ensure(self) -> None:
        with self._guard:
            if self._loop is not None:
                return
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="parlo-arq-enqueue", daemon=True).start()
            self._pool = asyncio.run_coroutine_threadsafe(create_pool(self.redis_settings), loop).result(10)
            self._loop = loop

    def _run(self, coro_factory: Callable[[ArqRedis], Any]) -> Any:
        self._ensure()
        return asyncio.run_coroutine_threadsafe(coro_factory(self._pool), self._loop).result(10)

    def enqueue_inbound(self, organization_id: uuid.UUID, phone: str, message_sid: str | None = None) -> Any:
        job_id = f"inbound:{message_sid}" if message_sid else f"inbound-sweep:{organization_id}:{phone}:{int(self.clock().timestamp() // 60)}"
        return self._run(
            lambda pool: pool.enqueue_job(
                "process_inbound", str(organization_id), phone, message_sid, _job_id=job_id, _queue_name=self.queue_name
            )
        )

    def enqueue_outbound(self, message_id: uuid.UUID, at: datetime | None = None) -> Any:
        stamp = int((at or self.clock()).timestamp() * 1000)
        kwargs: dict[str, Any] = {"_job_id": f"outbound:{message_id}:{stamp}", "_queue_name": self.queue_name}
        if at is not None:
            kwargs["_defer_until"] = at
        return self._run(lambda pool: pool.enqueue_job("dispatch_outbound", str(message_id), **kwargs))

    def stop(self) -> None:
        with self._guard:
            if self._loop is None:
                return
            loop, pool = self._loop, self._pool
            self._loop = self._pool = None
        asyncio.run_coroutine_threadsafe(pool.aclose(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)


# ---- job functions -----------------------------------------------------------------------------


def _gateway(ctx: dict) -> Any:
    return ctx["whatsapp"]


async def process_inbound(ctx: dict, organization_id: str, phone: str, message_sid: str | None = None) -> int:
    redis: ArqRedis = ctx["redis"]
    lock = redis.lock(f"parlo:whatsapp:lock:{organization_id}:{phone}", timeout=LOCK_SECONDS, blocking=False)
    if not await lock.acquire():
        raise Retry(defer=timedelta(seconds=0.3 * ctx.get("job_try", 1)))
    try:
        return await asyncio.to_thread(_gateway(ctx).processor.drain, uuid.UUID(organization_id), phone)
    except Exception as error:  # noqa: BLE001 - stored inbound stays pending: try again later
        log.exception("processing inbound for %s failed (try %s)", phone, ctx.get("job_try"))
        raise Retry(defer=timedelta(seconds=min(2 ** ctx.get("job_try", 1), 60))) from error
    finally:
        try:
            await lock.release()
        except Exception:  # noqa: BLE001 - expired: another worker may hold it now
            log.warning("per-sender lock for %s expired before release", phone)


async def dispatch_outbound(ctx: dict, message_id: str) -> dict:
    try:
        result = await asyncio.to_thread(_gateway(ctx).dispatcher.dispatch, uuid.UUID(message_id))
    except Exception as error:  # noqa: BLE001 - e.g. the store is down: the message stays pending
        log.exception("dispatch of %s failed (try %s)", message_id, ctx.get("job_try"))
        raise Retry(defer=timedelta(seconds=min(2 ** ctx.get("job_try", 1), 60))) from error
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in result.items()}


async def sweep(ctx: dict) -> dict:
    gateway = _gateway(ctx)
    reads = gateway.conversation_reads
    jobs = gateway.jobs
    stale_seconds = ctx.get("inbound_stale_seconds", 60.0)

    def run() -> dict:
        now = datetime.now(timezone.utc)
        outbound = reads.list_pending_outbound(now)
        for row in outbound:
            jobs.enqueue_outbound(row["id"])
        stale = reads.list_conversations_with_pending_inbound(now - timedelta(seconds=stale_seconds))
        for row in stale:
            jobs.enqueue_inbound(row["organization_id"], row["customer_phone"])
        return {"outbound": len(outbound), "inbound": len(stale)}

    return await asyncio.to_thread(run)


async def send_reminders(ctx: dict) -> dict:
    """Queue the WhatsApp reminders that are due (cron job; also enqueueable by name)."""
    sweeper = _gateway(ctx).reminders
    run_id = ctx.get("job_id") or None
    summary = await asyncio.to_thread(sweeper.sweep, run_id)
    return {k: v for k, v in summary.items() if k != "position"}


REMINDER_MINUTES = set(range(0, 60, 5))
FUNCTIONS = [process_inbound, dispatch_outbound, send_reminders]


async def startup(ctx: dict) -> None:
    """Build the container (unless the caller put one in ctx) and the WhatsApp gateway with ArqJobs."""
    if "whatsapp" in ctx:
        return
    from infra.container import Container
    from infra.settings import Settings
    from infra.whatsapp import build_whatsapp

    container = ctx.get("container") or Container(Settings())
    ctx["container"] = container
    wa_settings = container.whatsapp_settings
    jobs = ArqJobs(container.settings.redis_url, queue_name=wa_settings.arq_queue, clock=container.clock)
    gateway = build_whatsapp(container, jobs=jobs)
    container.whatsapp = gateway
    ctx["whatsapp"] = gateway
    ctx["inbound_stale_seconds"] = wa_settings.inbound_stale_seconds
    container.start_projection_thread()
    gateway.reactions.start()


async def shutdown(ctx: dict) -> None:
    gateway = ctx.get("whatsapp")
    if gateway is not None:
        gateway.reactions.stop()
        if hasattr(gateway.jobs, "stop"):
            gateway.jobs.stop()
    container = ctx.get("container")
    if container is not None and ctx.get("owns_container", True):
        container.close()


def worker_settings(redis_url: str, queue_name: str = DEFAULT_QUEUE) -> dict:
    """Keyword arguments for ``arq.Worker`` (``parlo worker`` uses them)."""
    return {
        "functions": FUNCTIONS,
        "cron_jobs": [
            cron(sweep, second=0, run_at_startup=True, unique=True, timeout=120),
            cron(send_reminders, minute=REMINDER_MINUTES, second=30, run_at_startup=True, unique=True, timeout=240),
        ],
        "queue_name": queue_name,
        "redis_settings": RedisSettings.from_dsn(redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_tries": 8,
        "job_timeout": 180,
        "keep_result": 3600,
        "health_check_interval": 60,
        "timezone": timezone.utc,
    }


def run_worker(container: Any = None, *, burst: bool = False) -> None:
    """Blocking: run the arq worker (``parlo worker``)."""
    from arq import Worker

    from infra.settings import Settings
    from infra.whatsapp import WhatsAppSettings

    settings = container.settings if container is not None else Settings()
    wa_settings = container.whatsapp_settings if container is not None else WhatsAppSettings()
    options = worker_settings(settings.redis_url, wa_settings.arq_queue)
    ctx = {"container": container} if container is not None else {}
    worker = Worker(**options, burst=burst, ctx=ctx)
    worker.run()
