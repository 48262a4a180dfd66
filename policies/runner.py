"""Runs policies over the event store's notification log: each event acted on once.

Each policy has its own row in ``policy_positions`` (not a read model: ``parlo projections
rebuild`` never touches it, and the projection runner does not run policies). A batch, per policy:

1. lock the policy's row (PostgreSQL ``SELECT ... FOR UPDATE``: several workers may run the same
   policies; the loser waits and then skips what the winner did) and read its position;
2. read the notifications after it, only of the topics the policy handles (filtered in SQL);
3. for each event: skip it when older than the policy's ``max_event_age`` by the injected clock;
   else execute the commands it returns (``app.execute``) and hand its jobs to ``enqueue``;
4. save the position and commit.

A crash between 3 and 4 acts on those events again: commands carry deterministic ids (the
command handler answers ``created: False``) and jobs are idempotent, so nothing happens twice.
A handler that keeps failing holds its policy back for ``max_attempts`` tries, further apart each
time (``retry_base_seconds`` doubling, at most a minute: the error is probably passing, the store
is down or Redis restarts), then its event is skipped and logged, so one bad event never stops
the events after it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Engine, MetaData, String, Table, insert, select, update

from policies.base import Job, Policy
from readmodels.tables import projection_tracking

log = logging.getLogger("parlo.policies")

metadata = MetaData()
policy_positions = Table(
    "policy_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def _utcnow() -> datetime:
    # Bookkeeping only (when a row moved); what a policy does never depends on it.
    return datetime.now(timezone.utc)


class PolicyRunner:
    def __init__(
        self,
        app: Any,
        engine: Engine | None,
        policies: Iterable[Policy],
        *,
        clock: Callable[[], datetime],
        execute: Callable[[Any], Any] | None = None,
        enqueue: Callable[[Job], Any] | None = None,
        batch_size: int = 200,
        poll_interval: float = 0.25,
        max_attempts: int = 8,
        retry_base_seconds: float = 0.5,
        setup: bool = True,
    ) -> None:
        self.app = app
        self.engine = engine
        self.policies = list(policies)
        self.by_name = {p.name: p for p in self.policies}
        if len(self.by_name) != len(self.policies) or "" in self.by_name:
            raise ValueError("Every policy needs a unique, non-empty name.")
        self.clock = clock
        self.execute = execute or (lambda command: app.execute(command))
        self.enqueue = enqueue
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.max_attempts = max_attempts
        self.retry_base_seconds = retry_base_seconds
        self._retry_at: dict[str, float] = {}  # policy name -> monotonic time of its next try
        self.commands_executed = 0
        self.jobs_enqueued = 0
        self.events_skipped_as_old = 0
        self.last_error: BaseException | None = None
        self._attempts: dict[tuple[str, int], int] = {}
        self._positions: dict[str, int] = {}
        self._condition = threading.Condition()
        self._serial = threading.RLock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: threading.Thread | None = None
        self._subscription: Any = None
        if setup and engine is not None:
            self.setup()

    # ---- tracking ------------------------------------------------------------------------

    def setup(self) -> None:
        """Create ``policy_positions`` and the rows missing: a policy that ``replaces`` an older
        reaction starts where that one stopped; a new one from the first event (what it returns
        is idempotent, and old history is skipped by age or by the handler)."""
        metadata.create_all(self.engine, checkfirst=True)
        with self.engine.begin() as conn:
            existing = {row.name for row in conn.execute(select(policy_positions.c.name))}
            for policy in self.policies:
                if policy.name in existing:
                    continue
                start = 0
                if policy.replaces:
                    legacy = conn.execute(
                        select(projection_tracking.c.position).where(projection_tracking.c.name == policy.replaces)
                    ).scalar()
                    start = int(legacy or 0)
                conn.execute(insert(policy_positions).values(name=policy.name, position=start, updated_at=_utcnow()))
        self._advanced(self.read_positions())

    def read_positions(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(policy_positions.c.name, policy_positions.c.position)).all()
        return {name: int(position) for name, position in rows if name in self.by_name}

    def _advanced(self, positions: dict[str, int]) -> None:
        with self._condition:
            self._positions.update(positions)
            self._condition.notify_all()

    # ---- acting ----------------------------------------------------------------------------

    def act(self, policy: Policy, event: Any) -> list[Any]:
        """Apply one event to one policy: skip it when too old, else execute its commands and
        enqueue its jobs. Returns what the policy asked for ([] when skipped or ignored)."""
        now = self.clock()
        if policy.max_event_age is not None and now - event.timestamp > policy.max_event_age:
            self.events_skipped_as_old += 1
            return []
        outputs = policy.react(event, now)
        for output in outputs:
            if isinstance(output, Job):
                if self.enqueue is None:
                    raise RuntimeError(f"policy {policy.name!r} enqueued {output!r} but the runner has no job queue")
                self.enqueue(output)
                self.jobs_enqueued += 1
            else:
                self.execute(output)
                self.commands_executed += 1
        return outputs

    def process_batch(self, names: Sequence[str] | None = None) -> int:
        """One batch per policy; returns the number of notifications read (0 = caught up)."""
        chosen = [self.by_name[n] for n in names] if names else self.policies
        total = 0
        with self._serial:
            top = self.app.recorder.max_notification_id() or 0
            for policy in chosen:
                if self._positions.get(policy.name, 0) >= top:
                    continue  # known to be done (a cached position is never ahead of the row)
                if self._retry_at.get(policy.name, 0.0) > time.monotonic():
                    continue  # held back by a failing event: not yet time to try it again
                total += self._process_policy(policy, top)
        return total

    def _process_policy(self, policy: Policy, top: int) -> int:
        where = policy_positions.c.name == policy.name
        with self.engine.begin() as conn:
            query = select(policy_positions.c.position).where(where)
            if self.engine.dialect.name == "postgresql":
                query = query.with_for_update()
            position = int(conn.execute(query).scalar_one())
            if position >= top:
                self._advanced({policy.name: position})
                return 0
            notifications = self.app.recorder.select_notifications(
                start=position + 1, limit=self.batch_size, stop=top, topics=list(policy.topics)
            )
            # A full page ends at its last notification; a short one has read everything up to top.
            end = notifications[-1].id if len(notifications) >= self.batch_size else top
            reached = end
            for notification in notifications:
                try:
                    self.act(policy, self.app.mapper.to_domain_event(notification))
                    self._attempts.pop((policy.name, notification.id), None)
                except Exception as error:  # noqa: BLE001 - hold back, then skip this one event
                    key = (policy.name, notification.id)
                    self._attempts[key] = attempts = self._attempts.get(key, 0) + 1
                    self.last_error = error
                    if attempts < self.max_attempts:
                        log.warning("policy %r failed on event %d (try %d): %s", policy.name, notification.id, attempts, error)
                        delay = min(60.0, self.retry_base_seconds * 2 ** (attempts - 1))
                        self._retry_at[policy.name] = time.monotonic() + delay
                        reached = notification.id - 1
                        break
                    log.exception("policy %r skips event %d after %d tries", policy.name, notification.id, attempts)
                    self._attempts.pop(key, None)
            if reached > position:
                conn.execute(update(policy_positions).where(where).values(position=reached, updated_at=_utcnow()))
        self._advanced({policy.name: max(position, reached)})
        return max(len(notifications), 1) if reached > position else 0

    def run_once(self) -> int:
        """Process batches until every policy has caught up (or is held back by a failure)."""
        total = 0
        while True:
            count = self.process_batch()
            total += count
            if count == 0:
                return total

    def rebuild(self, *names: str, **options: Any) -> int:
        """Refused: a policy acts (sends, enqueues), so replaying it would act on old events again."""
        raise ValueError(f"{', '.join(names) or 'policies'}: a policy is never replayed (it acts; it has nothing to rebuild).")

    # ---- the loop (in-process thread, or the worker) ----------------------------------------

    def run_forever(self, stop: threading.Event | None = None, *, listen: bool = False) -> None:
        """Poll every ``poll_interval`` s (sooner when woken) until ``stop`` is set. ``listen``: on
        PostgreSQL, also wake at once on the event store's NOTIFY (the library's subscription)."""
        stop = stop or self._stop
        if listen:
            self._start_listener(stop)
        failures = 0
        while not stop.is_set():
            try:
                count = self.process_batch()
                failures = 0
            except Exception as error:  # noqa: BLE001 - e.g. the store is down: try again later
                self.last_error = error
                failures += 1
                log.exception("policy batch failed (attempt %d)", failures)
                stop.wait(min(5.0, 0.2 * 2 ** min(failures, 5)))
                continue
            if count >= self.batch_size:
                continue
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def wake(self) -> None:
        self._wake.set()

    @property
    def running_here(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, *, listen: bool = True) -> threading.Thread:
        """Run ``run_forever`` in a daemon thread. Idempotent."""
        if self.running_here:
            return self._thread  # type: ignore[return-value]
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self.run_forever, args=(self._stop,), kwargs={"listen": listen}, name="parlo-policies", daemon=True
        )
        self._thread.start()
        return self._thread

    def _start_listener(self, stop: threading.Event) -> None:
        """PostgreSQL only (SQLite has no ``subscribe()``: the timer poll alone). NOTIFYs can be
        lost (reconnects): the poll stays the safety net."""
        if not hasattr(self.app.recorder, "channel_name"):
            return
        topics = sorted({t for p in self.policies for t in p.topics})

        def listen() -> None:
            while not stop.is_set():
                try:
                    gt = self.app.recorder.max_notification_id() or 0
                    with self.app.recorder.subscribe(gt=gt, topics=topics) as subscription:
                        self._subscription = subscription
                        if stop.is_set():
                            break
                        for _ in subscription:
                            self._wake.set()
                except NotImplementedError:
                    return
                except Exception:  # noqa: BLE001 - fall back to polling, subscribe again later
                    log.debug("policy subscription failed", exc_info=True)
                    stop.wait(2.0)
                finally:
                    self._subscription = None

        self._listener = threading.Thread(target=listen, name="parlo-policies-listen", daemon=True)
        self._listener.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        subscription = self._subscription
        if subscription is not None:
            subscription.stop()
        for thread in (self._thread, self._listener):
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout)
        self._thread = None
        self._listener = None

    def wait_for(self, position: int | None, timeout: float = 10.0) -> bool:
        """Block until every policy's position is >= ``position`` (True), or the timeout (False)."""
        if position is None:
            return True
        names = list(self.by_name)
        reached = lambda: min((self._positions.get(n, 0) for n in names), default=position) >= position  # noqa: E731
        if self.running_here:
            self._wake.set()
            with self._condition:
                return self._condition.wait_for(lambda: reached() or not self.running_here, timeout) and reached()
        deadline = time.monotonic() + timeout
        while True:
            self._advanced(self.read_positions())
            if reached():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def status(self) -> list[dict[str, Any]]:
        max_id = self.app.recorder.max_notification_id() or 0
        positions = self.read_positions()
        return [
            {"name": p.name, "position": positions.get(p.name, 0), "lag": max(0, max_id - positions.get(p.name, 0))}
            for p in self.policies
        ]
