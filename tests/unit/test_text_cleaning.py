"""Text entering a command is cleaned before its handler runs (issue #8)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from aggregates.errors import InvalidInput
from commands import Actor
from commands.messages import AddCustomer, UpdateOrganizationSettings
from commands.text_cleaning import clean_command, clean_text, clean_value

ORG = uuid.UUID(int=7)


def test_nul_and_control_characters_go_newline_and_tab_stay():
    assert clean_text("Ju\x00an\x07 P\x1bérez\x7f\x85") == "Juan Pérez"
    assert clean_text("línea 1\nlínea 2\tcol\r\n") == "línea 1\nlínea 2\tcol\n"
    assert clean_text("💇‍♀️ Corte y tinte ✂️") == "💇‍♀️ Corte y tinte ✂️"  # the ZWJ is not a control character


def test_a_lone_surrogate_is_refused_in_spanish():
    with pytest.raises(InvalidInput) as raised:
        clean_text("hola \ud800")
    assert raised.value.http_status == 422 and "caracteres no válidos" in raised.value.message


def test_every_string_of_a_command_is_cleaned_recursively():
    given = UpdateOrganizationSettings(
        actor=Actor.admin("a\x00dmin"),
        cause="req\x00-1",
        organization_id=ORG,
        changes={"welc\x00ome": ["Ho\x00la", ("a\x01", {"b\x02": "c\x00"})], "n": 3, "when": datetime(2026, 1, 1, tzinfo=timezone.utc)},
    )
    cleaned = clean_command(given)
    assert cleaned.actor == Actor.admin("admin") and cleaned.cause == "req-1" and cleaned.organization_id == ORG
    assert cleaned.changes == {"welcome": ["Hola", ("a", {"b": "c"})], "n": 3, "when": datetime(2026, 1, 1, tzinfo=timezone.utc)}


def test_a_clean_command_is_returned_as_is():
    given = AddCustomer(actor=Actor.admin(), cause="c", organization_id=ORG, phone_number="+525511112222", name="Ana\nMaría")
    assert clean_command(given) is given
    nested = {"a": ["b", {"c": ("d",)}]}
    assert clean_value(nested) is nested


def test_nested_dataclasses_and_sets():
    @dataclass(frozen=True)
    class Inner:
        text: str

    @dataclass(frozen=True)
    class Outer:
        inner: Inner
        tags: frozenset

    cleaned = clean_value(Outer(Inner("x\x00y"), frozenset({"t\x00ag", "ok"})))
    assert cleaned == Outer(Inner("xy"), frozenset({"tag", "ok"}))


def test_the_application_cleans_before_the_handler(memory_app, demo):
    customer = memory_app.execute(
        AddCustomer(actor=Actor.admin(), cause="c\x00", organization_id=demo.organization_id, phone_number="+525511112222", name="Lu\x00cía")
    )
    assert memory_app.repository.get(customer.id).name == "Lucía"
    with pytest.raises(InvalidInput):
        memory_app.execute(
            AddCustomer(actor=Actor.admin(), cause="c", organization_id=demo.organization_id, phone_number="+525511113333", name="Lu\udcffcía")
        )
    assert all("\x00" not in str(vars(e)) for e in memory_app.repository.event_store.get(customer.id))
