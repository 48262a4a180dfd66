"""The write side of Parlo: one application, one method per command."""

from __future__ import annotations

from typing import Any

from commands.access import AccessCommands
from commands.appointments import AppointmentCommands
from commands.base import CommandResult
from commands.conversations import ConversationCommands
from commands.customers import CustomerCommands
from commands.history import HistoryQueries
from commands.messages import Command
from commands.organizations import OrganizationCommands
from commands.staff import StaffCommands
from commands.text_cleaning import clean_command


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


class ParloApplication(
    AccessCommands, AppointmentCommands, CustomerCommands, StaffCommands, OrganizationCommands, ConversationCommands,
    HistoryQueries,
):
    """``app.execute(BookAppointment(...))`` runs ``app.book_appointment(cmd)``."""

    def execute(self, cmd: Command) -> CommandResult:
        cmd = clean_command(cmd)  # issue #8: no NUL/control characters reach an event; lone surrogates -> 422
        handler: Any = getattr(self, _snake(type(cmd).__name__), None)
        if handler is None:
            raise TypeError(f"No handler for {type(cmd).__name__}")
        return handler(cmd)
