"""Rebuilds: clear projections' tables and replay every event into them, in one transaction.

A mixin of :class:`projections.runner.ProjectionRunner` (it uses its ``app``, locks, positions and
failure isolation). Staged rebuilds are in :mod:`projections.staging`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, update
from sqlalchemy.exc import OperationalError

from projections.base import Projection
from projections.failures import _now
from readmodels.tables import projection_failures, projection_tracking

log = logging.getLogger("parlo.projections")


class Rebuilds:
    def rebuild(self, name: str, *, drop: bool = False) -> int:
        """Rebuild one projection (see :meth:`rebuild_all`). Returns the number of events applied."""
        return self.rebuild_all([name], drop=drop)

    def rebuild_all(self, names: Sequence[str] | None = None, *, drop: bool = False, staged: bool | None = None) -> int:
        """Clear these projections' tables (all by default) and replay every event into them, in
        ONE transaction (readers on PostgreSQL keep seeing the old rows until it commits), each
        event read and decoded once for all of them, only the topics they handle (SQL filter).
        Events that fail are skipped and recorded as in live processing (their old failure
        records are replaced), so the rows are the same. ``drop`` drops and recreates the tables
        (schema changes). Returns the number of handler calls (events applied, per projection).

        ``staged`` (default: on PostgreSQL) runs the handlers against an in-memory SQLite copy of
        the tables and then bulk-inserts the rows (hundreds per statement) instead of one round
        trip per handler statement; if anything about it fails the rebuild runs in place."""
        chosen = [self.by_name[n] for n in names] if names else list(self.projections)
        reactions = [p.name for p in chosen if not p.tables]
        if reactions:
            # No tables: not a read model but a reaction (it sends, enqueues...). Replaying it
            # would act on old events again, so it is never rebuilt.
            raise ValueError(f"{', '.join(reactions)}: without tables nothing can be rebuilt (a reaction is never replayed).")
        with self._serial:
            top = self.app.recorder.max_notification_id() or 0
            applied: int | None = None
            if self.is_postgres if staged is None else staged:
                try:
                    applied = self._rebuild_staged(chosen, top, drop)
                except OperationalError:
                    raise
                except Exception:  # noqa: BLE001 - e.g. a value PostgreSQL refuses: do it in place
                    log.warning("staged rebuild failed; rebuilding in place", exc_info=True)
            if applied is None:
                with self.engine.begin() as conn:
                    self._prepare_rebuild(conn, chosen, drop)
                    applied = self._replay(conn, chosen, top)
                    self._finish_rebuild(conn, chosen, top)
        self.events_applied += applied
        for projection in chosen:
            self._advanced(projection.name, top)
        return applied

    def _prepare_rebuild(self, conn: Connection, chosen: Sequence[Projection], drop: bool) -> None:
        self._lock_positions(conn, [p.name for p in chosen])
        tables = [t for p in chosen for t in p.tables]
        if drop:
            projection_tracking.metadata.drop_all(conn, tables=tables, checkfirst=True)
            projection_tracking.metadata.create_all(conn, tables=tables, checkfirst=True)
        else:
            for projection in chosen:
                projection.clear(conn)
        conn.execute(projection_failures.delete().where(projection_failures.c.projection.in_([p.name for p in chosen])))

    def _replay(self, conn: Connection, chosen: Sequence[Projection], top: int) -> int:
        applied, position = 0, 0
        topics = self.topics_of(chosen)
        while position < top:
            notifications = self.app.recorder.select_notifications(
                start=position + 1, limit=self.rebuild_batch_size, stop=top, topics=topics
            )
            if not notifications:
                break
            decoded: dict[int, Any] = {}
            for projection in chosen:
                applied += self._apply_isolated(conn, projection, notifications, position, decoded)
            position = notifications[-1].id
        return applied

    def _finish_rebuild(self, conn: Connection, chosen: Sequence[Projection], top: int) -> None:
        conn.execute(
            update(projection_tracking)
            .where(projection_tracking.c.name.in_([p.name for p in chosen]))
            .values(position=top, updated_at=_now())
        )

    def _rebuild_staged(self, chosen: Sequence[Projection], top: int, drop: bool) -> int:
        from projections.staging import copy_rows, scratch_engine

        tables = [t for p in chosen for t in p.tables]
        scratch = scratch_engine([*tables, projection_failures])
        try:
            with scratch.begin() as staged:
                # The scratch tables start empty: the handlers' reads see only what they wrote.
                applied = self._replay(staged, chosen, top)
                with self.engine.begin() as conn:
                    self._prepare_rebuild(conn, chosen, drop)
                    copy_rows(staged, conn, tables)
                    copy_rows(staged, conn, [projection_failures], skip_columns={"id"})
                    self._finish_rebuild(conn, chosen, top)
        finally:
            scratch.dispose()
        return applied

