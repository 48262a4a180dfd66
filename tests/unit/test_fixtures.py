"""The shared fixtures in tests/conftest.py behave as documented."""

from __future__ import annotations

from datetime import timedelta

from infra.persistence import event_store_env


def test_make_settings_builds_settings_for_a_url(make_settings, sqlite_url):
    settings = make_settings(sqlite_url)
    assert settings.database_url == sqlite_url
    assert not settings.is_postgres
    assert event_store_env(settings)["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"


def test_make_settings_accepts_overrides_by_field_or_env_name(make_settings):
    settings = make_settings("postgresql://postgres@127.0.0.1:5432/parlo_t3_x", llm_model="test-model", PARLO_PUBLIC_BASE_URL="http://x")
    assert settings.is_postgres
    assert settings.postgres_parts()["dbname"] == "parlo_t3_x"
    assert (settings.llm_model, settings.public_base_url) == ("test-model", "http://x")


def test_the_frozen_clock_only_moves_when_told(clock, memory_app):
    before = memory_app.now()
    assert memory_app.now() == before
    clock.advance(minutes=5)
    assert memory_app.now() - before == timedelta(minutes=5)
    assert before.isoformat() == "2026-01-14T18:00:00+00:00"  # Wednesday noon in Mexico City


def test_demo_is_the_seeded_business(memory_app, demo, seed_demo):
    org = memory_app._organization(demo.organization_id)
    assert (org.name, org.status, org.timezone) == ("Barbería Don Carlos", "active", "America/Mexico_City")
    assert set(demo.service_ids) == {"Corte de cabello", "Arreglo de barba", "Corte y barba"}
    assert seed_demo(memory_app) == demo


def test_make_app_gives_independent_in_memory_apps(make_app):
    first, second = make_app(), make_app()
    assert first is not second
    assert first.recorder is not second.recorder
