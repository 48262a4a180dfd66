"""Provisioning against the fake Twilio with the real client: a failure at each step, then a
retry, buys exactly one number; a rejected display name is retried with a variant; without
Twilio credentials the mock provisioner assigns a number from the reserved range."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from commands import Actor
from commands.onboarding import ConfirmOnboarding, RecordOnboardingTurn, StartOnboarding, get_onboarding
from infra.provisioning import MockProvisioner, ProvisioningJob, TwilioProvisioner, display_name_variants
from infra.twilio_client import twilio_rest_client
from wa_support import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE, Stack

OWNER = "+525577776666"
ACTOR = Actor.system("test")
DETAILS = {
    "business_name": "Barbería El Güero",
    "business_type": "barbershop",
    "services": [
        {"name": "Corte", "price_cents": 15000, "duration_minutes": 30},
        {"name": "Barba", "price_cents": 10000, "duration_minutes": 20},
        {"name": "Corte y barba", "price_cents": 22000, "duration_minutes": 45},
    ],
    "hours": {d: [["10:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat")} | {"sun": []},
    "owner_name": "Juan Pérez",
    "team_asked": True,
    "address_asked": True,
}


def confirmed(stack: Stack, phone: str = OWNER) -> None:
    at = datetime.now(timezone.utc)
    stack.app.execute(StartOnboarding(actor=ACTOR, cause="t", owner_phone=phone, at=at))
    stack.app.execute(RecordOnboardingTurn(actor=ACTOR, cause="t", owner_phone=phone, at=at, step="confirming_summary", details=DETAILS))
    stack.app.execute(ConfirmOnboarding(actor=ACTOR, cause="t", owner_phone=phone, at=at))


def job(stack: Stack, **kwargs) -> ProvisioningJob:
    client = twilio_rest_client(ACCOUNT_SID, AUTH_TOKEN, stack.twilio.url)
    return ProvisioningJob(stack.app, TwilioProvisioner(client), public_base_url=PUBLIC_BASE, wait_seconds=0.001, **kwargs)


def events(stack: Stack) -> list[str]:
    return [e["type"] for e in stack.app.event_history(get_onboarding(stack.app, OWNER)["id"])]


ROUTES = ["list_numbers", "available", "buy", "list_senders", "create_sender", "update_number"]


@pytest.mark.parametrize("kind", ["500", "lost"])
@pytest.mark.parametrize("route", ROUTES)
def test_a_twilio_failure_at_each_step_then_a_retry_buys_exactly_one_number(stack: Stack, route: str, kind: str) -> None:
    confirmed(stack)
    stack.twilio.fail_route(route, 1, kind)
    outcome = job(stack).run(OWNER)
    assert outcome.ok, outcome
    assert len(stack.twilio.incoming_numbers) == 1 and len(stack.twilio.senders) == 1
    state = get_onboarding(stack.app, OWNER)
    assert state["step"] == "completed" and state["phone_number"] == stack.twilio.incoming_numbers[0]["phone_number"]
    assert "ProvisioningFailed" in events(stack)
    assert stack.app.organization_view(state["organization_id"])["status"] == "active"


def test_a_job_that_gives_up_resumes_on_the_next_run_where_it_stopped(stack: Stack) -> None:
    confirmed(stack)
    stack.twilio.fail_route("create_sender", 3, "500")
    first = job(stack, attempts=3).run(OWNER)
    assert not first.ok and not first.permanent
    state = get_onboarding(stack.app, OWNER)
    assert state["step"] == "provisioning_number" and state["phone_number"]
    assert state["organization_id"] is None  # the business appears only with a working number
    second = job(stack).run(OWNER)  # e.g. another worker, later
    assert second.ok and second.phone_number == state["phone_number"]
    assert len(stack.twilio.incoming_numbers) == 1
    assert stack.twilio.route_calls["buy"] == 1
    assert job(stack).run(OWNER).ok  # and once more: nothing new
    assert stack.twilio.route_calls["buy"] == 1 and len(stack.twilio.senders) == 1


def test_a_rejected_display_name_is_retried_with_a_variant(stack: Stack) -> None:
    confirmed(stack)
    stack.twilio.rejected_display_names.add("Barbería El Güero")
    assert job(stack).run(OWNER).ok
    assert stack.twilio.senders[0]["profile"]["name"] == "Barbería El Güero Citas"
    assert events(stack).count("DisplayNameRejected") == 1
    assert get_onboarding(stack.app, OWNER)["display_name"] == "Barbería El Güero Citas"


def test_every_variant_rejected_is_a_permanent_failure_that_alerts_and_keeps_the_business(stack: Stack) -> None:
    confirmed(stack)
    stack.twilio.rejected_display_names.update(display_name_variants("Barbería El Güero", "barbershop"))
    alerts = []
    outcome = job(stack, on_permanent_failure=lambda phone, step: alerts.append((phone, step))).run(OWNER)
    assert outcome.permanent and alerts == [(OWNER, "registrar remitente de WhatsApp")]
    state = get_onboarding(stack.app, OWNER)
    assert state["data"]["business_name"] == "Barbería El Güero" and len(stack.twilio.incoming_numbers) == 1


def test_without_twilio_the_mock_assigns_a_number_from_the_reserved_range(stack: Stack) -> None:
    confirmed(stack)
    outcome = ProvisioningJob(stack.app, MockProvisioner(), public_base_url=PUBLIC_BASE).run(OWNER)
    assert outcome.ok and outcome.phone_number.startswith("+52550001")
    assert stack.twilio.route_calls == {}
    assert stack.app.organization_view(outcome.organization_id)["status"] == "active"


def test_the_api_url_routes_every_twilio_host_to_one_base_url() -> None:
    client = twilio_rest_client(ACCOUNT_SID, AUTH_TOKEN, "http://127.0.0.1:9")
    assert client.api.base_url == client.messaging.base_url == client.content.base_url == "http://127.0.0.1:9"
    default = twilio_rest_client(ACCOUNT_SID, AUTH_TOKEN)
    assert default.messaging.base_url == "https://messaging.twilio.com"
