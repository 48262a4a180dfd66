"""The write side of Parlo: one application, one explicit registry of command handlers.

``COMMAND_HANDLERS`` maps each command type to the function that handles it (as cosmicpython's
message bus does). A handler receives the application (its dependencies: event store, clock) and
the command, and saves every aggregate it touched in one ``save``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commands import access, appointments, conversations, customers, onboarding, organizations, staff
from aggregates.base import recording
from commands.base import CommandResult, retrying_on_conflict
from commands.context import provisional_label
from commands.definitions import Command
from commands.history import HistoryQueries
from commands.queries import WriteModelQueries
from commands.text_cleaning import clean_command

Handler = Callable[[Any, Any], CommandResult]

COMMAND_HANDLERS: dict[type[Command], Handler] = {
    **organizations.HANDLERS,
    **staff.HANDLERS,
    **customers.HANDLERS,
    **appointments.HANDLERS,
    **conversations.HANDLERS,
    **access.HANDLERS,
    **onboarding.HANDLERS,
}


class ParloApplication(WriteModelQueries, HistoryQueries):
    """``app.execute(BookAppointment(...))`` runs ``appointments.book_appointment(app, cmd)``."""

    def execute(self, cmd: Command) -> CommandResult:
        """The one way in for every command: find its handler, run it, retry on version conflicts.

        Every command passes here before its handler: the place for checks common to all of them."""
        cmd = clean_command(cmd)  # no NUL/control characters reach an event; lone surrogates -> 422
        try:
            handler = COMMAND_HANDLERS[type(cmd)]
        except KeyError:
            raise TypeError(f"No handler for {type(cmd).__name__}") from None
        return retrying_on_conflict(self._count_conflict)(self._handle, handler, cmd)

    def _handle(self, handler: Handler, cmd: Command) -> CommandResult:
        # A fresh recording per attempt: every event of the command records its actor and cause.
        with recording(provisional_label(cmd.actor), cmd.cause):
            return handler(self, cmd)

    def _count_conflict(self, _attempt: Any) -> None:
        self.conflicts_retried += 1
