"""Text entering a command is cleaned before its handler runs (issue #8).

PostgreSQL ``text`` cannot hold NUL, and control characters in names or notes only cause trouble
downstream (read models, WhatsApp templates, CSV exports). So every string field of a command,
however deeply nested (lists, tuples, sets, dicts - keys too - and dataclasses), loses its C0/C1
control characters except newline and tab. A lone surrogate is not text at all (it cannot be
encoded as UTF-8, so it could never be stored or sent): the command is refused with
:class:`~aggregates.errors.InvalidInput` (HTTP 422) instead of being silently altered.

``ParloApplication.execute`` applies :func:`clean_command` to every command; aggregates do not
depend on this module (they validate meaning, this removes bytes no meaning can use).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

from aggregates.errors import InvalidInput

T = TypeVar("T")

# C0 controls except \t (0x09) and \n (0x0a), DEL, and the C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
INVALID_TEXT = "El texto tiene caracteres no válidos. Revísalo y vuelve a intentarlo."


def clean_text(value: str) -> str:
    """``value`` without control characters (newline and tab stay); lone surrogates raise."""
    if value.isprintable():  # the common case: nothing to do, no regex
        return value
    if _SURROGATE.search(value):
        raise InvalidInput(INVALID_TEXT)
    cleaned = _CONTROL.sub("", value)
    return value if cleaned == value else cleaned


def clean_value(value: Any) -> Any:
    """``value`` with every string inside it cleaned; the very same object when nothing changed."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        pairs = [(clean_value(k), clean_value(v)) for k, v in value.items()]
        if all(k2 is k and v2 is v for (k, v), (k2, v2) in zip(value.items(), pairs)):
            return value
        return type(value)(pairs)
    if isinstance(value, list | tuple | set | frozenset):
        items = [clean_value(v) for v in value]
        if all(new is old for old, new in zip(value, items)):
            return value
        if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
            return type(value)(*items)
        return type(value)(items)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if f.init:
                current = getattr(value, f.name)
                cleaned = clean_value(current)
                if cleaned is not current:
                    changes[f.name] = cleaned
        return dataclasses.replace(value, **changes) if changes else value
    return value


def clean_command(cmd: T) -> T:
    """The command with all its text cleaned (the same object when it was clean already)."""
    return clean_value(cmd)
