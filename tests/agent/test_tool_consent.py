"""What counts as the customer's yes, a change request or a named staff member; how long a proposal lives.
Unit tests: no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from agent.toolbox.consent import is_acceptance, is_change_request, named_staff, preferred_staff
from agent.toolbox.proposals import PROPOSAL_TTL, Proposal, ProposalBook

MX = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 1, 14, 13, 0, tzinfo=MX)  # Wednesday
THU_4PM = datetime(2026, 1, 15, 16, 0, tzinfo=MX)
STAFF = [{"id": "a", "name": "Carlos Mendoza"}, {"id": "b", "name": "Miguel Sánchez"}]


@pytest.mark.parametrize(
    "text",
    ["sí", "Si", "Sí perfecto gracias", "va", "sale, gracias", "ok 👍", "👍", "de acuerdo", "está bien", "me parece bien",
     "sí, mañana a las 4", "perfecto, el jueves a las 4:00", "Sí, en la tarde", "claro que sí", "no hay problema", "Confirmo"],
)
def test_clear_yes(text):
    assert is_acceptance(text, THU_4PM, NOW)


@pytest.mark.parametrize(
    "text",
    ["no", "no, mejor a las 5", "sí pero a las 5", "sí, a las 5", "¿sí hay a las 4?", "sí, el viernes", "mejor otro día",
     "espera", "déjame ver", "gracias", "Juan Pérez", "sí, pero mejor en la mañana", "hmm", "sí, cancela", "nel"],
)
def test_not_a_yes(text):
    assert not is_acceptance(text, THU_4PM, NOW)


def test_cancel_wording_is_a_yes_only_to_a_cancellation():
    assert is_acceptance("sí, cancélala", THU_4PM, NOW, kind="cancel")
    assert not is_acceptance("sí, cancélala", THU_4PM, NOW, kind="book")


@pytest.mark.parametrize(
    ("text", "change"),
    [("necesito cambiar mi cita", True), ("¿la puedo mover al sábado?", True), ("quiero reagendar", True),
     ("¿me la recorres una hora?", True), ("quiero otra cita", False), ("adelante, agéndame el viernes", False), ("¿se puede adelantar?", True), ("quiero una cita", False), ("corte mañana", False)],
)
def test_change_requests(text, change):
    assert is_change_request(text) is change


def test_named_staff_by_first_name_accents_ignored():
    assert named_staff("con miguel porfa", STAFF)["id"] == "b"
    assert named_staff("Con Carlos o con Miguel", STAFF) is None  # ambiguous: nobody
    assert named_staff("a las 4", STAFF) is None
    assert preferred_staff(["con Carlos", "mejor con Miguel", "a las 4"], STAFF)["id"] == "b"  # newest wins


def _proposal(pid: str, turn: str, created: datetime) -> dict:
    return Proposal(pid, "book", turn, created.astimezone(timezone.utc).isoformat(), "Resumen", ["jueves"], THU_4PM.isoformat()).__dict__


def test_a_proposal_is_confirmable_only_after_its_own_turn_and_only_for_one_turn():
    now = NOW.astimezone(timezone.utc)
    made = ProposalBook({}, "SM1", now)
    made.add(Proposal(made.new_id("x"), "book", "SM1", now.isoformat(), "Resumen", ["jueves"], THU_4PM.isoformat()))
    assert made.confirmable() == [] and len(made.made_now()) == 1
    stored = made.dump()
    answer = ProposalBook(stored, "SM2", now + timedelta(minutes=1))
    assert [p.id for p in answer.confirmable()] == [stored["items"][0]["id"]]
    assert answer.dump() == {"items": []}  # not carried to a third turn
    retried = ProposalBook(stored, "SM1", now)  # the same inbound message processed again
    assert retried.confirmable() == []


def test_old_or_malformed_proposals_are_dropped():
    now = NOW.astimezone(timezone.utc)
    state = {"items": [_proposal("p-1", "SM1", now - PROPOSAL_TTL - timedelta(minutes=1)), {"id": "p-2"}, "junk", _proposal("p-3", "SM1", now)]}
    book = ProposalBook(state, "SM2", now)
    assert [p.id for p in book.confirmable()] == ["p-3"]
    assert ProposalBook("not a dict", "SM2", now).confirmable() == []


def test_at_most_three_alternatives_per_turn_and_no_duplicates():
    now = NOW.astimezone(timezone.utc)
    book = ProposalBook({}, "SM1", now)
    for i in range(3):
        assert book.add(Proposal(book.new_id(str(i)), "book", "SM1", now.isoformat(), f"Resumen {i}", [], THU_4PM.isoformat()))
    assert book.add(Proposal("p-again", "book", "SM1", now.isoformat(), "Resumen 0", [], THU_4PM.isoformat()))  # same summary
    assert not book.add(Proposal("p-4", "book", "SM1", now.isoformat(), "Resumen 4", [], THU_4PM.isoformat()))
    assert len(book.made_now()) == 3 and len({p.id for p in book.made_now()}) == 3
