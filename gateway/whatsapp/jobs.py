"""Running the WhatsApp work in-process (the embedded default; production uses arq, infra/worker.py).

- Inbound: one drain per conversation at a time (the processor's lock), at most one more queued
  behind it; a drain handles every pending message of the conversation in arrival order.
- Outbound: sends run on the same pool; retries are timers on one scheduler thread.
- A sweep thread re-enqueues what a crash left behind: pending outbound messages that are due and
  conversations with stored-but-unprocessed inbound messages.
- With ``reminders`` (gateway/whatsapp/reminders.py ReminderSweeper.sweep), a thread runs the
  appointment-reminder sweep every ``reminder_interval`` seconds on the pool (never two at once).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

log = logging.getLogger("parlo.whatsapp.jobs")


class InProcessJobs:
    def __init__(
        self,
        *,
        drain: Callable[[uuid.UUID, str], int],
        dispatch: Callable[[uuid.UUID], Any],
        conversation_reads: Any = None,
        clock: Callable[[], datetime] | None = None,
        max_workers: int = 8,
        sweep_interval: float = 30.0,
        inbound_stale_seconds: float = 60.0,
        reminders: Callable[[], Any] | None = None,
        reminder_interval: float = 300.0,
    ) -> None:
        self._drain = drain
        self._dispatch = dispatch
        self.conversation_reads = conversation_reads
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.sweep_interval = sweep_interval
        self.inbound_stale_seconds = inbound_stale_seconds
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="parlo-wa")
        self._guard = threading.Condition()
        self._queued: dict[tuple, Future] = {}
        self._in_flight = 0
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._stop = threading.Event()
        self._timer_wake = threading.Condition()
        self._threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []
        self._reminders = reminders
        self.reminder_interval = reminder_interval
        self._reminder_future: Future | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self, *, sweep: bool = True) -> None:
        if self._threads:
            return
        self._stop.clear()
        timer = threading.Thread(target=self._timer_loop, name="parlo-wa-timers", daemon=True)
        timer.start()
        self._threads.append(timer)
        if sweep and self.conversation_reads is not None:
            sweeper = threading.Thread(target=self._sweep_loop, name="parlo-wa-sweep", daemon=True)
            sweeper.start()
            self._threads.append(sweeper)
        if sweep and self._reminders is not None:
            reminder = threading.Thread(target=self._reminder_loop, name="parlo-wa-reminders", daemon=True)
            reminder.start()
            self._threads.append(reminder)

    def stop(self) -> None:
        self._stop.set()
        with self._timer_wake:
            self._timer_wake.notify_all()
        for thread in self._threads:
            thread.join(5)
        self._threads = []
        self._executor.shutdown(wait=True, cancel_futures=False)

    # ---- tracking (tests and the dev chat wait on this, never sleep) -------------------------

    def _submit(self, fn: Callable[[], Any]) -> Future:
        with self._guard:
            self._in_flight += 1

        def run() -> Any:
            try:
                return fn()
            except BaseException as error:
                self.errors.append(error)
                raise
            finally:
                with self._guard:
                    self._in_flight -= 1
                    self._guard.notify_all()

        return self._executor.submit(run)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once nothing runs, nothing is queued and no retry timer is pending."""
        self._ensure_timer()
        with self._guard:
            return self._guard.wait_for(lambda: self._in_flight == 0 and not self._timers, timeout)

    def _ensure_timer(self) -> None:
        if not self._threads:
            self.start(sweep=False)

    # ---- inbound -----------------------------------------------------------------------------

    def enqueue_inbound(self, organization_id: uuid.UUID, phone: str, message_sid: str | None = None) -> Future:
        key = (uuid.UUID(str(organization_id)), phone)
        with self._guard:
            queued = self._queued.get(key)
            if queued is not None:
                return queued  # a drain not started yet will see this message too
            future = self._submit(lambda: self._run_drain(key, attempt=1))
            self._queued[key] = future
            return future

    def _run_drain(self, key: tuple, attempt: int) -> int:
        with self._guard:
            self._queued.pop(key, None)
        try:
            return self._drain(*key)
        except Exception:
            log.exception("processing inbound for %s failed (attempt %d)", key[1], attempt)
            delay = min(0.2 * 2 ** min(attempt, 8), 60.0)
            self.call_later(delay, lambda: self._submit(lambda: self._run_drain(key, attempt + 1)))
            return 0

    # ---- outbound ------------------------------------------------------------------------------

    def enqueue_outbound(self, message_id: uuid.UUID, at: datetime | None = None) -> None:
        if at is None:
            self._submit(lambda: self._safe_dispatch(message_id))
            return
        delay = max(0.0, (at - self.clock()).total_seconds())
        self.call_later(delay, lambda: self._submit(lambda: self._safe_dispatch(message_id)))

    def _safe_dispatch(self, message_id: uuid.UUID) -> Any:
        try:
            return self._dispatch(message_id)
        except Exception:
            log.exception("dispatch of %s failed; the sweep retries it", message_id)
            return None

    # ---- timers ----------------------------------------------------------------------------------

    def call_later(self, delay: float, fn: Callable[[], None]) -> None:
        import time

        self._ensure_timer()
        with self._guard:
            heapq.heappush(self._timers, (time.monotonic() + delay, next(self._seq), fn))
        with self._timer_wake:
            self._timer_wake.notify_all()

    def _timer_loop(self) -> None:
        import time

        while not self._stop.is_set():
            due: list[Callable[[], None]] = []
            with self._guard:
                now = time.monotonic()
                while self._timers and self._timers[0][0] <= now:
                    due.append(heapq.heappop(self._timers)[2])
                wait = (self._timers[0][0] - now) if self._timers else 1.0
                if due:
                    self._in_flight += len(due)  # keep "idle" false while they are handed over
            for fn in due:
                try:
                    fn()
                except Exception:  # noqa: BLE001
                    log.exception("timer job failed")
                finally:
                    with self._guard:
                        self._in_flight -= 1
                        self._guard.notify_all()
            if not due:
                with self._timer_wake:
                    self._timer_wake.wait(min(max(wait, 0.001), 1.0))

    # ---- sweep -------------------------------------------------------------------------------------

    def sweep_once(self) -> dict:
        """Re-enqueue due pending outbound messages and conversations with unprocessed inbound."""
        reads = self.conversation_reads
        now = self.clock()
        outbound = reads.list_pending_outbound(now)
        for row in outbound:
            self.enqueue_outbound(row["id"])
        stale = reads.list_conversations_with_pending_inbound(now - timedelta(seconds=self.inbound_stale_seconds))
        for row in stale:
            self.enqueue_inbound(row["organization_id"], row["customer_phone"])
        return {"outbound": len(outbound), "inbound": len(stale)}

    def _sweep_loop(self) -> None:
        while not self._stop.wait(self.sweep_interval):
            try:
                self.sweep_once()
            except Exception:  # noqa: BLE001 - keep sweeping
                log.exception("whatsapp sweep failed")

    # ---- appointment reminders -------------------------------------------------------------------

    def run_reminders(self) -> Future | None:
        """Start one reminder sweep on the pool, unless one is still running (returns its future)."""
        if self._reminders is None:
            return None
        with self._guard:
            running = self._reminder_future
            if running is not None and not running.done():
                return running
            self._reminder_future = self._submit(self._safe_reminders)
            return self._reminder_future

    def _safe_reminders(self) -> Any:
        try:
            return self._reminders()
        except Exception:  # noqa: BLE001 - the next sweep tries again
            log.exception("reminder sweep failed")
            return None

    def _reminder_loop(self) -> None:
        while not self._stop.wait(self.reminder_interval):
            self.run_reminders()
