"""Deprecated name of :mod:`commands.definitions` (the command dataclasses), kept so that code
written against the old name still imports. New code imports ``commands.definitions``."""

from commands.definitions import *  # noqa: F401,F403
from commands.definitions import __all__  # noqa: F401
