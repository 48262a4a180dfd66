"""vocabulary.phones: phonenumbers replaced a hand-kept area-code table (issue #9 item 6).

The old formatter is kept here as the oracle: over every Mexican area-code prefix (all 1000
three-digit starts, many random subscriber numbers each), the two give the same text for every
number phonenumbers calls valid, in every form WhatsApp delivers it.
"""

from __future__ import annotations

import random
import re

import phonenumbers
import pytest

from agent.spanish.format import format_phone as reexported
from vocabulary.phones import format_phone

_TWO_DIGIT_AREA_CODES = frozenset({"55", "56", "33", "81"})


def old_format_phone(e164: str) -> str:
    """The area-code table formatter as it was before phonenumbers (agent/spanish/format.py)."""
    compact = re.sub(r"[\s\-().]", "", e164.strip().removeprefix("whatsapp:"))
    match = re.fullmatch(r"\+52(?:1)?(\d{10})", compact)
    if not match:
        return e164
    national = match.group(1)
    if national[:2] in _TWO_DIGIT_AREA_CODES:
        return f"+52 {national[:2]} {national[2:6]} {national[6:]}"
    return f"+52 {national[:3]} {national[3:6]} {national[6:]}"


def _valid_mexican_numbers(per_prefix: int = 12) -> list[str]:
    rng = random.Random(20260115)
    numbers = []
    for prefix in range(1000):
        for _ in range(per_prefix):
            national = f"{prefix:03d}{rng.randrange(10**7):07d}"
            if phonenumbers.is_valid_number(phonenumbers.parse("+52" + national, None)):
                numbers.append(national)
    return numbers


VALID = _valid_mexican_numbers()


def test_the_sample_covers_every_kind_of_area_code() -> None:
    # given the sample, then it is large and has both two- and three-digit area codes
    assert len(VALID) > 4000
    assert {n[:2] for n in VALID} >= _TWO_DIGIT_AREA_CODES
    assert len({n[:3] for n in VALID if n[:2] not in _TWO_DIGIT_AREA_CODES}) > 200


@pytest.mark.parametrize("form", ["+52{}", "+521{}", "whatsapp:+52{}", "whatsapp:+521{}", " +52 {} "])
def test_phonenumbers_gives_the_old_tables_output_for_every_valid_number(form: str) -> None:
    # when every valid number is formatted both ways, then the outputs are identical
    different = [(n, format_phone(form.format(n)), old_format_phone(form.format(n))) for n in VALID]
    different = [row for row in different if row[1] != row[2]]
    assert different == []


def test_grouped_input_is_grouped_the_same_way() -> None:
    for national in VALID[::50]:
        spaced = f"+52 ({national[:3]}) {national[3:6]}-{national[6:]}"
        assert format_phone(spaced) == old_format_phone(spaced)


@pytest.mark.parametrize("other", ["+14155550100", "+52123", "5512345678", "", "+44 20 7946 0958", "hola"])
def test_anything_not_mexican_is_returned_unchanged(other: str) -> None:
    assert format_phone(other) == other == old_format_phone(other)


def test_agent_spanish_format_still_exports_the_same_function() -> None:
    assert reexported is format_phone


def test_a_number_no_mexican_plan_has_is_shown_as_it_came() -> None:
    # given a 10-digit number phonenumbers calls invalid (normalize_phone never stores one),
    # then it is not dressed up as if it had an area code (the old table guessed a 3-digit one)
    raw = "+520001234567"
    assert not phonenumbers.is_valid_number(phonenumbers.parse(raw, None))
    assert format_phone(raw) == raw
