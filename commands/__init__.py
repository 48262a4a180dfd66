"""The only writer: commands are handled by ParloApplication, which saves aggregates atomically."""

from commands.application import ParloApplication
from commands.base import CommandResult
from commands.context import Actor

__all__ = ["Actor", "CommandResult", "ParloApplication"]
