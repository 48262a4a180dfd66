"""BusinessOnboarding decides (no I/O): the step rules, abandonment, and provisioning order."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from aggregates.base import recording
from aggregates.errors import InvalidInput, InvalidTransition
from aggregates.onboarding import BusinessOnboarding

T0 = datetime(2026, 1, 15, 18, 0, tzinfo=timezone.utc)
COMPLETE = {
    "business_name": "Barbería El Güero", "business_type": "barbershop",
    "services": [{"name": "Corte", "price_cents": 15000, "duration_minutes": 30}],
    "hours": {"mon": [["10:00", "20:00"]]}, "owner_name": "Juan",
}  # fmt: skip


def started() -> BusinessOnboarding:
    with recording("system:test", "t"):
        return BusinessOnboarding.start(owner_phone="+525577776666", at=T0)


def test_only_changed_details_are_recorded_and_unknown_ones_refused() -> None:
    onboarding = started()
    with recording("system:test", "t"):
        onboarding.record_turn(at=T0, details={"business_name": "X"}, step="collecting_business_info", context={})
        onboarding.record_turn(at=T0, details={"business_name": "X"}, step="collecting_business_info", context={})
        with pytest.raises(InvalidInput):
            onboarding.record_turn(at=T0, details={"price": 1}, step="collecting_business_info", context={})
    events = onboarding.collect_events()
    names = [type(e).__name__ for e in events]
    assert all(e.actor == "system:test" and e.cause == "t" for e in events)
    assert names.count("DetailNoted") == 1 and names.count("StepReached") == 1 and names.count("TurnRecorded") == 2


def test_idle_for_30_minutes_is_abandoned_and_resumes_at_the_same_step() -> None:
    onboarding = started()
    with recording("system:test", "t"):
        onboarding.record_turn(at=T0, details={}, step="collecting_owner_info", context={})
        assert not onboarding.abandon_if_idle(T0 + timedelta(minutes=29))
        assert onboarding.abandon_if_idle(T0 + timedelta(minutes=30))
        assert onboarding.step == "abandoned"
        onboarding.resume(T0 + timedelta(minutes=40))
    assert onboarding.step == "collecting_owner_info" and onboarding.last_message_at == T0 + timedelta(minutes=40)


def test_confirmation_needs_the_summary_and_everything_required() -> None:
    onboarding = started()
    with recording("system:test", "t"):
        with pytest.raises(InvalidTransition):
            onboarding.confirm(T0)
        onboarding.record_turn(at=T0, details={"business_name": "X"}, step="confirming_summary", context={})
        with pytest.raises(InvalidInput):
            onboarding.confirm(T0)
        onboarding.record_turn(at=T0, details=COMPLETE, step="confirming_summary", context={})
        onboarding.confirm(T0)
    assert onboarding.step == "provisioning_number"


def test_provisioning_steps_keep_their_order_and_one_number() -> None:
    onboarding = started()
    with recording("system:test", "t"):
        onboarding.record_turn(at=T0, details=COMPLETE, step="confirming_summary", context={})
        onboarding.confirm(T0)
        with pytest.raises(InvalidTransition):
            onboarding.record_business_registered(uuid.uuid4())
        onboarding.record_number_purchased("+528110000000", "PN1")
        onboarding.record_number_purchased("+528110000000", "PN1")  # the same again: nothing new
        with pytest.raises(InvalidTransition):
            onboarding.record_number_purchased("+528110000001", "PN2")
        with pytest.raises(InvalidTransition):
            onboarding.complete(T0)
        onboarding.record_sender_registered("XE1", "Barbería El Güero")
        onboarding.record_webhook_pointed("https://parlo.example.mx/api/v1/webhooks/whatsapp")
        onboarding.record_business_registered(uuid.uuid4())
        onboarding.complete(T0)
        with pytest.raises(InvalidTransition):
            onboarding.record_turn(at=T0, details={}, step="confirming_summary", context={})
    assert onboarding.step == "completed"
    assert [type(e).__name__ for e in onboarding.collect_events()].count("NumberPurchased") == 1
