"""Poisoned events (issue #8): apply a projection's events one savepoint each when a batch fails,
record what still fails in ``rm_projection_failures``, skip it, and apply it again on request.

A mixin of :class:`projections.runner.ProjectionRunner` (it uses its ``app``, locks and positions).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import OperationalError

from projections.base import Projection
from readmodels.tables import projection_failures

log = logging.getLogger("parlo.projections")


class FailureIsolation:
    def _decode(self, notification: Any, decoded: dict[int, Any]) -> Any:
        event = decoded.get(notification.id)
        if event is None:
            event = decoded[notification.id] = self.app.mapper.to_domain_event(notification)
        return event

    def _apply_isolated(self, conn: Connection, projection: Projection, notifications: Sequence[Any], after: int, decoded: dict[int, Any]) -> int:
        """Apply the notifications after ``after`` that ``projection`` wants; returns how many.

        Fast path: all of them inside one savepoint. When one fails, that savepoint is rolled back
        and they are applied again one savepoint each: an event that still fails is recorded in
        ``rm_projection_failures`` and skipped (the position moves on), so one bad event stops
        neither the other events nor the other projections nor the other organizations' rows.
        Errors that say nothing about the event (connection lost, lock timeout, deadlock:
        ``OperationalError``) are raised instead: the whole batch is tried again later.
        """
        wanted = [n for n in notifications if n.id > after and projection.wants_topic(n.topic)]
        if not wanted:
            return 0
        try:
            with conn.begin_nested():
                for notification in wanted:
                    projection.apply(conn, self._decode(notification, decoded), notification.id)
            return len(wanted)
        except OperationalError:
            raise
        except Exception:  # noqa: BLE001 - find the event(s) at fault below
            log.warning("projection %r failed on a batch; applying it event by event", projection.name)
        applied = 0
        for notification in wanted:
            try:
                with conn.begin_nested():
                    projection.apply(conn, self._decode(notification, decoded), notification.id)
                applied += 1
            except OperationalError:
                raise
            except Exception as error:  # noqa: BLE001 - recorded, skipped, retryable
                log.error(
                    "projection %r skipped event %d (%s): %s",
                    projection.name, notification.id, notification.topic, error_text(error),
                )
                self._record_failure(conn, projection.name, notification, decoded.get(notification.id), error)
        return applied

    def _record_failure(self, conn: Connection, name: str, notification: Any, event: Any, error: BaseException) -> None:
        now = _now()
        message = error_text(error)
        existing = conn.execute(
            select(projection_failures.c.id)
            .where(projection_failures.c.projection == name, projection_failures.c.notification_id == notification.id)
        ).scalar()
        if existing is not None:
            conn.execute(
                update(projection_failures)
                .where(projection_failures.c.id == existing)
                .values(error=message, last_seen=now, attempts=projection_failures.c.attempts + 1)
            )
            return
        conn.execute(
            projection_failures.insert().values(
                projection=name,
                notification_id=notification.id,
                originator_id=str(notification.originator_id),
                originator_version=notification.originator_version,
                topic=notification.topic[:255],
                organization_id=self._organization_of(notification, event),
                error=message,
                attempts=1,
                first_seen=now,
                last_seen=now,
            )
        )

    def _organization_of(self, notification: Any, event: Any) -> uuid.UUID | None:
        """The event's organization: its own ``organization_id``, else the one its aggregate
        was created with (its first event), else the aggregate itself when it is an Organization."""
        found = _organization_of(event)
        if found is None:
            try:
                first = self.app.recorder.select_events(notification.originator_id, limit=1)
                found = _organization_of(self.app.mapper.to_domain_event(first[0])) if first else None
            except Exception:  # noqa: BLE001 - best effort: the failure is recorded without it
                log.debug("no organization for failed event %s", notification.id, exc_info=True)
        return found

    def failures(self, name: str | None = None, failure_id: int | None = None) -> list[dict[str, Any]]:
        """The recorded failures (oldest event first), optionally of one projection or one id."""
        query = select(projection_failures).order_by(projection_failures.c.notification_id, projection_failures.c.projection)
        if name is not None:
            query = query.where(projection_failures.c.projection == name)
        if failure_id is not None:
            query = query.where(projection_failures.c.id == failure_id)
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def retry_failures(self, name: str | None = None, failure_id: int | None = None) -> list[dict[str, Any]]:
        """Apply the recorded failed events again (after a fix), oldest first. A success deletes
        the failure; another failure updates it (error, attempts, last_seen). Returns one
        ``{"id", "projection", "notification_id", "ok", "error"}`` per failure tried.

        The event is applied after the later events its projection already processed; when the
        order matters to a projection's rows, ``rebuild`` gives them exactly.
        """
        results = []
        for failure in self.failures(name, failure_id):
            projection = self.by_name.get(failure["projection"])
            if projection is None:
                continue
            with self._serial, self.engine.begin() as conn:
                position = self._lock_position(conn, projection.name)
                still = conn.execute(select(projection_failures.c.id).where(projection_failures.c.id == failure["id"])).scalar()
                if still is None:
                    continue  # retried meanwhile by another runner
                found = self.app.recorder.select_notifications(start=failure["notification_id"], limit=1)
                ok, message = True, None
                if position >= failure["notification_id"] and found and found[0].id == failure["notification_id"]:
                    try:
                        with conn.begin_nested():
                            projection.apply(conn, self.app.mapper.to_domain_event(found[0]), found[0].id)
                    except OperationalError:
                        raise
                    except Exception as error:  # noqa: BLE001 - stays recorded
                        ok, message = False, error_text(error)
                        self._record_failure(conn, projection.name, found[0], None, error)
                # else: the projection has not reached it yet (reset by a rebuild): it will be
                # applied in order, so the record is obsolete.
                if ok:
                    conn.execute(projection_failures.delete().where(projection_failures.c.id == failure["id"]))
            results.append({"id": failure["id"], "projection": projection.name, "notification_id": failure["notification_id"], "ok": ok, "error": message})
        return results


def _now() -> datetime:
    return datetime.now(timezone.utc)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def error_text(error: BaseException, limit: int = 1000) -> str:
    """``Type: message``, short and storable: the driver's own message (SQLAlchemy's adds the SQL
    and its parameters: customer data), without control characters (the error of a NUL-bearing
    value can quote it), at most ``limit`` characters."""
    original = getattr(error, "orig", None) or error
    message = f"{type(original).__name__}: {original}".strip()
    return _CONTROL.sub("?", message)[:limit]


def _organization_of(event: Any) -> Any:
    """The event's organization when it says so (an Organization's own events: its id)."""
    if event is None:
        return None
    value = getattr(event, "organization_id", None)
    if value is None and type(event).__qualname__.split(".")[0] == "Organization":
        value = getattr(event, "originator_id", None)
    try:
        return value if value is None or isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None

