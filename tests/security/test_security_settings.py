"""No secret, or part of one, in the error output when production mode refuses to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from infra.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "PARLO_SECRET_KEY": "sk-short-Q7vX9zT2",  # too short: production refuses it
    "PARLO_ADMIN_PASSWORD": "pw-K4mN8",  # too short
    "TWILIO_AUTH_TOKEN": "twtok-R5sW1yU3",
    "OPENAI_API_KEY": "sk-openai-H6jL0pA2",
    "PARLO_DATABASE_URL": "sqlite:///prod-W3eR7tY9.db",
}


def fragments(secret: str, size: int = 5) -> set[str]:
    """Every piece of ``secret`` of ``size`` characters: none may appear anywhere."""
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


def leaked(text: str) -> list[str]:
    return sorted({piece for secret in SECRETS.values() for piece in fragments(secret) if piece in text})


def test_the_production_refusal_names_what_is_missing_and_holds_no_secret():
    with pytest.raises(SettingsError) as refused:
        Settings(_env_file=None, PARLO_ENV="production", TWILIO_ACCOUNT_SID="AC" + "1" * 32, **SECRETS)
    error = refused.value
    # Nothing that holds the input travels with the error (pydantic's ValidationError keeps all of it).
    assert error.__context__ is None and error.__cause__ is None
    text = f"{error}\n{error!r}\n{error.args}\n{vars(error)}"
    assert "PARLO_SECRET_KEY" in text and "PARLO_ADMIN_PASSWORD" in text and "PARLO_DATABASE_URL" in text
    assert leaked(text) == []


def test_a_bad_field_value_is_not_echoed_either():
    with pytest.raises(SettingsError) as refused:
        Settings(_env_file=None, PARLO_LLM_TIMEOUT_SECONDS="not-a-number", **SECRETS)
    text = f"{refused.value!r}"
    assert "PARLO_LLM_TIMEOUT_SECONDS" in text and leaked(text) == []


def test_an_unsupported_database_url_names_the_scheme_but_not_its_password():
    settings = Settings(_env_file=None, PARLO_DATABASE_URL="mysql://parlo:db-pass-Z8xC4v@db/parlo")
    with pytest.raises(ValueError) as refused:
        settings.sqlite_path  # noqa: B018
    assert "mysql" in str(refused.value) and "db-pass" not in str(refused.value) and "Z8xC4v" not in str(refused.value)


def test_trusted_proxies_must_be_addresses():
    assert Settings(_env_file=None, PARLO_TRUSTED_PROXIES="10.0.0.1, 192.168.0.0/16,::1").trusted_proxy_list == [
        "10.0.0.1",
        "192.168.0.0/16",
        "::1",
    ]
    assert Settings(_env_file=None).trusted_proxy_list == []  # trust no forwarded header by default
    with pytest.raises(SettingsError) as refused:
        Settings(_env_file=None, PARLO_TRUSTED_PROXIES="proxy.example")
    assert "PARLO_TRUSTED_PROXIES" in str(refused.value)


def test_parlo_serve_in_production_prints_no_secret(tmp_path):
    """The real command line, as an operator would start it: whatever it prints holds no piece of a secret."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLO_", "TWILIO_", "OPENAI_"))}
    env.update(SECRETS, PARLO_ENV="production", TWILIO_ACCOUNT_SID="AC" + "1" * 32, COLUMNS="200", PYTHONPATH=str(ROOT))
    finished = subprocess.run(
        [sys.executable, "-m", "infra.cli", "serve", "--port", "1"],
        cwd=tmp_path,  # no .env here
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode != 0
    assert "Production mode refuses to start" in output
    assert leaked(output) == []
