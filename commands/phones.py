"""Phone numbers as identity keys.

WhatsApp delivers many Mexican mobiles as ``+521`` + 10 digits, which phonenumbers (rightly,
since 2019) calls invalid; the same person must map to one key however the number arrives.
"""

from __future__ import annotations

import functools
import re

import phonenumbers

from aggregates.errors import InvalidInput

_WHATSAPP_PREFIX = "whatsapp:"


def normalize_phone(raw: str, default_region: str = "MX") -> str:
    """Return the E.164 identity key for a phone number, or raise InvalidInput (in Spanish)."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("Falta el número de teléfono.")
    # Pure and called several times per command (actor, customer, ids): parse each number once.
    return _normalize_cached(raw, default_region)


@functools.lru_cache(maxsize=4096)
def _normalize_cached(raw: str, default_region: str) -> str:
    text = raw.strip()
    if text.lower().startswith(_WHATSAPP_PREFIX):
        text = text[len(_WHATSAPP_PREFIX):]
    digits = re.sub(r"[^\d+]", "", text)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        bare = digits.lstrip("+")
        # Legacy Mexican dialing prefixes: 044/045 (mobile) and 01 (long distance).
        for prefix in ("044", "045", "01"):
            if bare.startswith(prefix) and len(bare) == 10 + len(prefix):
                bare = bare[len(prefix):]
        if len(bare) == 12 and bare.startswith("52"):
            digits = "+" + bare
        elif len(bare) == 13 and bare.startswith("521"):
            digits = "+" + bare
        else:
            digits = bare
    if digits.startswith("+521") and len(digits) == 14:
        digits = "+52" + digits[4:]
    try:
        parsed = phonenumbers.parse(digits, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(f"«{raw}» no parece un número de teléfono válido.") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(f"«{raw}» no parece un número de teléfono válido.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def whatsapp_address(e164: str) -> str:
    return f"{_WHATSAPP_PREFIX}{e164}"
