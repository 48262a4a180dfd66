"""Showing Mexican phone numbers: the one vocabulary submodule with an outside dependency.

``phonenumbers`` knows which area codes have two digits (55, 56, 33, 81) and groups the rest of
the number accordingly; it replaced a hand-kept table (tests/unit/test_vocabulary_phones.py shows
the output is identical over every Mexican area code). Aggregates never import this module (an
import-linter contract forbids ``phonenumbers`` below ``commands``).
"""

from __future__ import annotations

import functools
import re

import phonenumbers

_NOISE = re.compile(r"[\s\-().]")
_MEXICAN = re.compile(r"\+52(?:1)?(\d{10})")


def format_phone(e164: str) -> str:
    """'+52 55 1234 5678' / '+52 222 123 4567' for Mexican numbers; anything else unchanged.

    Accepts the WhatsApp forms too ('whatsapp:+52…', and the legacy mobile '+521' + 10 digits).
    """
    compact = _NOISE.sub("", e164.strip().removeprefix("whatsapp:"))
    match = _MEXICAN.fullmatch(compact)
    if not match:
        return e164
    return _international(match.group(1)) or e164


@functools.lru_cache(maxsize=4096)
def _international(national: str) -> str | None:
    parsed = phonenumbers.parse("+52" + national, None)
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
