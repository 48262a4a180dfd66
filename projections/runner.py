"""Runs projections over the event store's notification log, exactly once.

How a batch works (one SQLAlchemy transaction for every projection that is behind):

1. read up to ``batch_size`` notifications after the lowest position, only of the topics the
   projections handle (``select_notifications(topics=...)``: filtered in SQL), up to the store's
   end as read just before (a short page means "everything up to there");
2. lock the projections' rows in ``rm_projection_tracking`` (PostgreSQL: ``SELECT ... FOR
   UPDATE``; SQLite: a no-op ``UPDATE`` first, which takes the database write lock) and re-read
   the positions under the lock: another process may have advanced them meanwhile;
3. apply the notifications whose id is greater than each position, decoded once for all;
4. set the positions to the batch's end and commit: rows and positions land together or not at all.

One bad event stops no one (issue #8): when a batch fails it is applied again with a savepoint
per projection and per event; an event that still fails is rolled back to its savepoint, recorded
in ``rm_projection_failures`` (``parlo projections status``, ``GET /api/v1/admin/projections``)
and skipped, and the positions move on. ``retry_failures`` applies it again once the code is
fixed. Only errors that say nothing about the event (``OperationalError``: the database is
unreachable, a lock timed out) hold a projection back, with a backoff, while the others go on.

Notification ids have gaps (rolled-back writes): the runner never waits for "last + 1", it reads
whatever comes after its position. The event store assigns ids in commit order (the PostgreSQL
recorder locks the table while inserting), so nothing can appear later below a position.

Several runners (threads or processes) may run the same projections: the row lock serialises them
and the re-read position makes the loser skip what the winner applied. On PostgreSQL a running
runner is woken by the library's LISTEN/NOTIFY subscription (``recorder.subscribe()``); the timer
poll is the safety net (and all there is on SQLite).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.exc import OperationalError

from projections.base import Projection
from projections.failures import FailureIsolation, _now, error_text
from projections.rebuild import Rebuilds
from readmodels.tables import projection_failures, projection_tracking

log = logging.getLogger("parlo.projections")


class ProjectionRunner(FailureIsolation, Rebuilds):
    def __init__(
        self,
        app: Any,
        engine: Engine,
        projections: Iterable[Projection | type[Projection]],
        *,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        setup: bool = True,
    ) -> None:
        self.app = app
        self.engine = engine
        self.projections: list[Projection] = [p() if isinstance(p, type) else p for p in projections]
        self.by_name = {p.name: p for p in self.projections}
        if len(self.by_name) != len(self.projections) or "" in self.by_name:
            raise ValueError("Every projection needs a unique, non-empty name.")
        self.batch_size = batch_size
        self.rebuild_batch_size = max(batch_size, 2000)
        self.poll_interval = poll_interval
        self.is_postgres = engine.dialect.name == "postgresql"
        self._positions: dict[str, int] = {}
        self._condition = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: threading.Thread | None = None
        self._subscription: Any = None
        self._serial = threading.RLock()  # one batch at a time within this process
        self._quarantine: dict[str, tuple[float, int]] = {}  # name -> (retry at, failures)
        self.events_applied = 0
        self.last_error: BaseException | None = None
        if setup:
            self.setup()

    # ---- schema ----------------------------------------------------------------------------

    def tables(self, names: Sequence[str] | None = None) -> list:
        chosen = [self.by_name[n] for n in names] if names else self.projections
        return [t for p in chosen for t in p.tables]

    def setup(self) -> None:
        """Create the tables and the tracking rows (position 0) that do not exist yet.

        SQLite can answer "database is locked" at once (without its busy timeout) to a new
        connection while another process's runner is mid-batch: that is tried again."""
        for attempt in range(1, 51):
            try:
                self._setup()
                break
            except OperationalError as error:
                if self.is_postgres or "locked" not in str(error) or attempt == 50:
                    raise
                time.sleep(0.1)
        self._positions = self.read_positions()

    def _setup(self) -> None:
        with self.engine.begin() as conn:
            if self.is_postgres:
                # Two processes starting at once must not both run CREATE TABLE.
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('parlo-projections-setup'))"))
            projection_tracking.metadata.create_all(
                conn, tables=[projection_tracking, projection_failures, *self.tables()], checkfirst=True
            )
            known = set(conn.execute(select(projection_tracking.c.name)).scalars())
            for projection in self.projections:
                if projection.name not in known:
                    conn.execute(projection_tracking.insert().values(name=projection.name, position=0, updated_at=_now()))

    # ---- positions ---------------------------------------------------------------------------

    def read_positions(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = dict(conn.execute(select(projection_tracking.c.name, projection_tracking.c.position)).all())
        return {p.name: int(rows.get(p.name, 0)) for p in self.projections}

    def _lock_positions(self, conn: Connection, names: Sequence[str]) -> dict[str, int]:
        """Lock these tracking rows for the rest of the transaction and return their positions.

        PostgreSQL: ``SELECT ... ORDER BY name FOR UPDATE`` (always the same order: no deadlock
        between runners). SQLite has no row locks: a first write takes the database's write lock
        (waiting out busy_timeout), so the read that follows sees the latest committed positions.
        """
        where = projection_tracking.c.name.in_(list(names))
        if self.is_postgres:
            query = (
                select(projection_tracking.c.name, projection_tracking.c.position)
                .where(where)
                .order_by(projection_tracking.c.name)
                .with_for_update()
            )
        else:
            conn.execute(update(projection_tracking).where(where).values(position=projection_tracking.c.position))
            query = select(projection_tracking.c.name, projection_tracking.c.position).where(where)
        positions = {name: int(position) for name, position in conn.execute(query).all()}
        missing = set(names) - set(positions)
        if missing:
            raise RuntimeError(f"No tracking row for projection(s) {sorted(missing)}: run setup() first.")
        return positions

    def _lock_position(self, conn: Connection, name: str) -> int:
        return self._lock_positions(conn, [name])[name]

    def _set_position(self, conn: Connection, name: str, position: int) -> None:
        conn.execute(
            update(projection_tracking)
            .where(projection_tracking.c.name == name)
            .values(position=position, updated_at=_now())
        )

    def _advanced(self, name: str, position: int) -> None:
        with self._condition:
            if position != self._positions.get(name):
                self._positions[name] = position
            self._condition.notify_all()

    # ---- processing --------------------------------------------------------------------------

    def process_batch(self, names: Sequence[str] | None = None) -> int:
        """Read one batch after the lowest position and apply it to every projection that needs
        it. Returns the number of notifications read (0 = every projection is caught up)."""
        chosen = [self.by_name[n] for n in names] if names else self.projections
        now = time.monotonic()
        # A projection whose handler keeps failing sits out for a while (backoff), so that it
        # does not hold back the others (the batch starts at the lowest position).
        chosen = [p for p in chosen if self._quarantine.get(p.name, (0.0, 0))[0] <= now] or chosen
        with self._serial:
            positions = self.read_positions()
            start = min(positions[p.name] for p in chosen)
            # Read up to the store's end as of now (ids are assigned in commit order: nothing can
            # appear below it later), only the topics these projections handle (filtered in SQL).
            top = self.app.recorder.max_notification_id() or 0
            if top <= start:
                for projection in chosen:
                    self._advanced(projection.name, positions[projection.name])
                return 0
            notifications = self.app.recorder.select_notifications(
                start=start + 1, limit=self.batch_size, stop=top, topics=self.topics_of(chosen)
            )
            # A full page ends at its last notification; a short one has read everything up to top.
            end = notifications[-1].id if len(notifications) >= self.batch_size else top
            decoded: dict[int, Any] = {}
            behind = [p for p in chosen if positions[p.name] < end]
            try:
                # Fast path: one transaction for every projection of the batch, no savepoints.
                self._apply_batch(behind, notifications, start, decoded, end, savepoints=False)
            except OperationalError as error:
                retry_careful, first = False, error
            except Exception as error:  # noqa: BLE001 - an event at fault: find it, skip it, record it
                retry_careful, first = True, error
            else:
                retry_careful, first = None, None
            if retry_careful:
                log.warning("batch failed (%s); again with a savepoint per projection and event", error_text(first))
                try:
                    self._apply_batch(behind, notifications, start, decoded, end)
                    retry_careful = None
                except Exception as error:  # noqa: BLE001 - not the event's fault: projection by projection
                    retry_careful, first = False, error
            if retry_careful is False:
                log.warning("batch failed (%s); retrying projection by projection", error_text(first))
                errors = []
                for projection in behind:
                    try:
                        self._apply_batch([projection], notifications, start, decoded, end)
                    except Exception as error:  # noqa: BLE001
                        failures = self._quarantine.get(projection.name, (0.0, 0))[1] + 1
                        self._quarantine[projection.name] = (time.monotonic() + min(60.0, 0.5 * 2**failures), failures)
                        errors.append(ProjectionError(projection.name, error))
                if errors:
                    raise errors[0]
            for projection in behind:
                self._quarantine.pop(projection.name, None)
            return max(len(notifications), 1)

    def topics_of(self, chosen: Sequence[Projection]) -> list[str]:
        """The stored topics any of these projections handles ([] = no filter: one takes all)."""
        if any(not p.topics for p in chosen):
            return []
        return sorted({t for p in chosen for t in p.topics})

    def _apply_batch(
        self,
        chosen: Sequence[Projection],
        notifications: Sequence[Any],
        start: int,
        decoded: dict[int, Any],
        last: int,
        *,
        savepoints: bool = True,
    ) -> None:
        """One transaction: lock the tracking rows, re-read them, apply, move them to ``last``, commit."""
        if not chosen:
            return
        applied = 0
        done: dict[str, int] = {}
        with self.engine.begin() as conn:
            locked = self._lock_positions(conn, [p.name for p in chosen])
            for projection in chosen:
                position = locked[projection.name]
                if position >= last or position < start:
                    # Already done by another runner, or reset by a rebuild (the batch does not
                    # reach back to this position): touch nothing; the next batch starts lower.
                    done[projection.name] = position
                    continue
                if savepoints:
                    applied += self._apply_isolated(conn, projection, notifications, position, decoded)
                else:
                    for notification in notifications:
                        if notification.id > position and projection.wants_topic(notification.topic):
                            projection.apply(conn, self._decode(notification, decoded), notification.id)
                            applied += 1
                done[projection.name] = last
            moved = [name for name, position in done.items() if position == last and locked[name] != last]
            if moved:
                conn.execute(
                    update(projection_tracking)
                    .where(projection_tracking.c.name.in_(moved))
                    .values(position=last, updated_at=_now())
                )
        self.events_applied += applied
        for name, position in done.items():
            self._advanced(name, position)

    def run_once(self, names: Sequence[str] | None = None) -> int:
        """Process batches until every (chosen) projection has caught up; returns notifications read."""
        total = 0
        while True:
            count = self.process_batch(names)
            total += count
            if count < self.batch_size:
                # A short batch reached the end; one more read confirms nothing arrived meanwhile.
                if count == 0 or self.process_batch(names) == 0:
                    return total

    def run_forever(
        self,
        stop: threading.Event | None = None,
        *,
        listen: bool = False,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Poll (every ``poll_interval`` s, sooner when woken) until ``stop`` is set. ``listen``:
        on PostgreSQL, also LISTEN to the event store's NOTIFY (in a thread) to wake at once."""
        if stop is not None:
            self._stop = stop
        stop = self._stop
        if listen and (self._listener is None or not self._listener.is_alive()):
            self._start_listener()
        failures = 0
        while not stop.is_set():
            try:
                count = self.process_batch()
                failures = 0
            except Exception as error:  # noqa: BLE001 - keep running; the batch is retried
                self.last_error = error
                failures += 1
                log.exception("projection batch failed (attempt %d)", failures)
                if on_error is not None:
                    on_error(error)
                stop.wait(min(5.0, 0.2 * 2 ** min(failures, 5)))
                continue
            if count >= self.batch_size:
                continue
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def wake(self) -> None:
        """Make a sleeping ``run_forever`` loop poll now."""
        self._wake.set()

    # ---- in-process thread ------------------------------------------------------------------

    @property
    def running_here(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, *, listen: bool = True) -> threading.Thread:
        """Run ``run_forever`` in a daemon thread (the embedded default). Idempotent."""
        if self.running_here:
            return self._thread  # type: ignore[return-value]
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self.run_forever, args=(self._stop,), kwargs={"listen": listen}, name="parlo-projections", daemon=True
        )
        self._thread.start()
        return self._thread

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

    def _start_listener(self) -> None:
        """PostgreSQL: wake the loop whenever the event store records an event of our topics,
        with the library's own LISTEN/NOTIFY loop (``recorder.subscribe()``: a
        ``PostgresSubscription``, which LISTENs in 0.1 s waits and pulls with the SQL topic
        filter). The runner still reads in its own batches; the subscription only wakes it.
        SQLite has no ``subscribe()``: the timer poll alone. NOTIFYs can be lost (reconnects):
        the timer poll stays the safety net."""
        if not hasattr(self.app.recorder, "channel_name"):
            return

        def listen() -> None:
            while not self._stop.is_set():
                try:
                    gt = self.app.recorder.max_notification_id() or 0
                    with self.app.recorder.subscribe(gt=gt, topics=self.topics_of(self.projections)) as subscription:
                        self._subscription = subscription
                        if self._stop.is_set():
                            break
                        for _ in subscription:
                            self._wake.set()
                except NotImplementedError:
                    return
                except Exception:  # noqa: BLE001 - fall back to polling, subscribe again later
                    log.debug("projection subscription failed", exc_info=True)
                    self._stop.wait(2.0)
                finally:
                    self._subscription = None

        self._listener = threading.Thread(target=listen, name="parlo-projections-listen", daemon=True)
        self._listener.start()

    # ---- read-your-writes ----------------------------------------------------------------------

    def wait_for(self, position: int | None, timeout: float = 10.0, names: Sequence[str] | None = None) -> bool:
        """Block until every projection's position is >= ``position``. True when reached, False on
        timeout. In-process (thread running here): a Condition notified after each batch.
        Otherwise (``parlo projections run`` elsewhere): polls the tracking table."""
        if position is None:
            return True
        wanted = list(names) if names else [p.name for p in self.projections]
        deadline = time.monotonic() + timeout
        if self.running_here:
            self._wake.set()
            with self._condition:
                return self._condition.wait_for(
                    lambda: min(self._positions.get(n, 0) for n in wanted) >= position or not self.running_here,
                    timeout,
                ) and min(self._positions.get(n, 0) for n in wanted) >= position
        delay = 0.005
        while True:
            positions = self.read_positions()
            if min(positions[n] for n in wanted) >= position:
                with self._condition:
                    self._positions.update(positions)
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 0.1)
    def status(self) -> list[dict[str, Any]]:
        """Each projection's position, the store's max notification id and the lag (in ids:
        gaps make it an upper bound of the events still to apply)."""
        max_id = self.app.recorder.max_notification_id() or 0
        with self.engine.connect() as conn:
            rows = {r.name: r for r in conn.execute(select(projection_tracking))}
            failures = dict(
                conn.execute(
                    select(projection_failures.c.projection, func.count()).group_by(projection_failures.c.projection)
                ).all()
            )
        result = []
        for projection in self.projections:
            row = rows.get(projection.name)
            position = int(row.position) if row is not None else 0
            result.append(
                {
                    "name": projection.name,
                    "position": position,
                    "max_notification_id": max_id,
                    "lag": max(0, max_id - position),
                    "updated_at": row.updated_at if row is not None else None,
                    "tables": [t.name for t in projection.tables],
                    "failures": failures.get(projection.name, 0),
                }
            )
        return result


class ProjectionError(RuntimeError):
    """A projection's handler failed; nothing of that batch was committed for it."""

    def __init__(self, name: str, error: BaseException) -> None:
        super().__init__(f"projection {name!r} failed: {type(error).__name__}: {error}")
        self.name = name
        self.__cause__ = error
