"""A Parlo stack for WhatsApp tests: PostgreSQL (parlo_t5g_*), projections in-process, the real
agent, the HTTP app through TestClient, and the real twilio library talking to a fake Twilio."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from fakes.twilio_server import FakeTwilio
from gateway.app import create_app
from infra.container import Container
from infra.seed import DEMO_WHATSAPP, seed_demo
from infra.whatsapp import WhatsAppSettings

PREFIX = "parlo_t5g_"


def _admin_connection():
    import psycopg

    return psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", autocommit=True, connect_timeout=3)


def postgres_available() -> bool:
    try:
        with _admin_connection():
            return True
    except Exception:  # noqa: BLE001
        return False


def make_settings(url: str, **values: object):
    from infra.settings import Settings

    return Settings(_env_file=None, PARLO_DATABASE_URL=url, **values)
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-5g"
PUBLIC_BASE = "https://parlo.example.mx"
WEBHOOK = "/api/v1/webhooks/whatsapp"
CUSTOMER = "+5215599998888"  # as WhatsApp delivers it (+521...)
CUSTOMER_E164 = "+525599998888"
OWNER = "+525511111111"
STAFF = "+525522222222"
REDIS_URL = "redis://127.0.0.1:6379/5"


def create_db(label: str) -> str:
    from psycopg import sql

    name = f"{PREFIX}{label[:16]}_{uuid.uuid4().hex[:8]}".lower()
    with _admin_connection() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def drop_db(url: str) -> None:
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    assert name.startswith(PREFIX)
    with _admin_connection() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class MovableClock:
    """Real time plus an offset the test can move forward (for the 24-hour window)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


class Stack:
    def __init__(self, label: str, *, env: str = "test", auth_token: str | None = AUTH_TOKEN, jobs=None, **wa_overrides) -> None:
        self.url = create_db(label)
        self.twilio = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
        try:
            self._build(env, auth_token, jobs, wa_overrides)
        except BaseException:
            self.twilio.stop()
            if hasattr(self, "container"):
                self.container.close()
            drop_db(self.url)
            raise

    def _build(self, env: str, auth_token: str | None, jobs, wa_overrides: dict) -> None:
        self.clock = MovableClock()
        overrides = {
            "PARLO_ENV": env,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "PARLO_TWILIO_API_URL": self.twilio.url,
            "PARLO_PUBLIC_BASE_URL": PUBLIC_BASE,
            "PARLO_REDIS_URL": REDIS_URL,
        }
        if auth_token:
            overrides["TWILIO_AUTH_TOKEN"] = AUTH_TOKEN
        settings = make_settings(self.url, **overrides)
        self.container = Container(settings, clock=self.clock)
        values = {"PARLO_WHATSAPP_RETRY_BASE_SECONDS": 0.02, "PARLO_WHATSAPP_SWEEP_SECONDS": 3600.0}
        values.update(wa_overrides)
        self.container.whatsapp_settings = WhatsAppSettings(_env_file=None, **values)
        self.demo = seed_demo(self.container.app)
        self.container.start_projection_thread()
        if jobs is not None:
            from infra.whatsapp import build_whatsapp

            self.container.whatsapp = build_whatsapp(self.container, jobs=jobs(self.container))
            self.container._closers.append(self.container.whatsapp.stop)
        self.wa = self.container.whatsapp
        self.client = TestClient(create_app(self.container))
        self.outcomes: list[dict] = []
        self.wa.processor.on_processed.append(self.outcomes.append)

    @property
    def app(self):
        return self.container.app

    def close(self) -> None:
        self.client.close()
        self.container.close()
        self.twilio.stop()
        drop_db(self.url)

    # ---- webhook -------------------------------------------------------------------------

    def sign(self, path: str, form: dict, token: str = AUTH_TOKEN) -> str:
        return RequestValidator(token).compute_signature(PUBLIC_BASE + path, form)

    def post(self, form: dict, *, path: str = WEBHOOK, signature: str | None = None, signed: bool = True):
        headers = {}
        if signed:
            headers["X-Twilio-Signature"] = signature if signature is not None else self.sign(path, form)
        return self.client.post(path, data=form, headers=headers)

    def inbound_form(self, body: str, *, phone: str = CUSTOMER, sid: str | None = None, to: str = DEMO_WHATSAPP, **extra) -> dict:
        form = {
            "SmsMessageSid": sid or "SM" + uuid.uuid4().hex,
            "NumMedia": "0",
            "ProfileName": "Juan",
            "MessageType": "text",
            "SmsSid": "",
            "WaId": phone.lstrip("+"),
            "SmsStatus": "received",
            "Body": body,
            "To": f"whatsapp:{to}",
            "NumSegments": "1",
            "ReferralNumMedia": "0",
            "MessageSid": "",
            "AccountSid": ACCOUNT_SID,
            "From": f"whatsapp:{phone}",
            "ApiVersion": "2010-04-01",
            "SomeNewFieldTwilioAdded": "x",
        }
        form["MessageSid"] = form["SmsSid"] = form["SmsMessageSid"]
        form.update(extra)
        return form

    def send(self, body: str, **kwargs):
        form = self.inbound_form(body, **kwargs)
        response = self.post(form)
        assert response.status_code == 200, response.text
        return form["MessageSid"], response

    # ---- waiting (never sleep) ------------------------------------------------------------

    def settle(self, timeout: float = 20.0) -> None:
        """Wait until jobs are idle and the read side has caught up with the event store."""
        for _ in range(3):
            assert self.wa.jobs.wait_idle(timeout), "WhatsApp jobs did not finish"
            position = self.app.recorder.max_notification_id()
            assert self.container.wait_for(position, timeout), "projections did not catch up"
            assert self.wa.reactions.wait_for(position, timeout) or not self.wa.reactions.running_here
        assert self.wa.jobs.wait_idle(timeout)

    def replies_to(self, phone: str = CUSTOMER) -> list[dict]:
        return self.twilio.to(f"whatsapp:{phone}")
