"""Appointment reminders ("Te mandaré un recordatorio un día antes").

The demo business on SQLite (and the concurrency case on PostgreSQL too, databases parlo_t5r_*),
projections and WhatsApp reactions in-process, the real twilio library talking to the fake Twilio,
and a clock the test sets. The arq case runs the cron function with a burst worker on Redis DB 6.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from commands import Actor
from commands.definitions import BookAppointment, CancelAppointment, RecordInboundMessage, RescheduleAppointment
from fakes.twilio_server import FakeTwilio
from gateway.whatsapp.jobs import InProcessJobs
from gateway.whatsapp.reminders import reminder_message_id, reminder_text
from infra.container import Container
from infra.seed import seed_demo
from infra.whatsapp import WhatsAppSettings
from readmodels.reminders import ReminderReads
from wa_support import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE, make_settings, postgres_available

MX = ZoneInfo("America/Mexico_City")
PG_PREFIX = "parlo_t5r_"
REDIS_URL = "redis://127.0.0.1:6379/6"
TEMPLATE = "HX" + "r" * 32
JUAN = "+525599998888"
MARIA = "+525533330002"
PEDRO = "+525533330003"
BOOKED_AT = datetime(2026, 1, 14, 12, 0, tzinfo=MX)  # Wednesday noon: when the appointments are booked
SWEEP_AT = datetime(2026, 1, 15, 15, 30, tzinfo=MX)  # Thursday 15:30: the first sweep
SOON = datetime(2026, 1, 16, 11, 30, tzinfo=MX)  # Friday 11:30 = 20 h after SWEEP_AT
LATER = datetime(2026, 1, 16, 19, 30, tzinfo=MX)  # Friday 19:30 = 28 h after SWEEP_AT: not yet
JUAN_TEXT = (
    "¡Hola Juan! Te recuerdo tu cita de corte de cabello mañana viernes 16 de enero a las 11:30 AM "
    "en Barbería Don Carlos. Si necesitas cambiarla o cancelarla, escríbeme aquí."
)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment


# ---- the stack -----------------------------------------------------------------------------


def _admin():
    import psycopg

    return psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", autocommit=True, connect_timeout=3)


def _create_pg(label: str) -> str:
    from psycopg import sql

    name = f"{PG_PREFIX}{''.join(c for c in label.lower() if c.isalnum())[:16]}_{uuid.uuid4().hex[:8]}"
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def _drop_pg(url: str) -> None:
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    assert name.startswith(PG_PREFIX)
    with _admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class ReminderStack:
    def __init__(self, url: str, *, jobs=None, start: bool = True) -> None:
        self.url = url
        self.clock = Clock(BOOKED_AT)
        self.twilio = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
        settings = make_settings(
            url,
            PARLO_ENV="test",
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            PARLO_TWILIO_API_URL=self.twilio.url,
            PARLO_PUBLIC_BASE_URL=PUBLIC_BASE,
            PARLO_REDIS_URL=REDIS_URL,
        )
        self.container = Container(settings, clock=self.clock)
        self.container.whatsapp_settings = WhatsAppSettings(
            _env_file=None,
            PARLO_WHATSAPP_RETRY_BASE_SECONDS=0.02,
            PARLO_WHATSAPP_SWEEP_SECONDS=3600.0,
            PARLO_REMINDER_SWEEP_SECONDS=3600.0,
        )
        self.demo = seed_demo(self.container.app)
        self.container.start_projection_thread()
        if jobs is not None:
            from infra.whatsapp import build_whatsapp

            self.container.whatsapp = build_whatsapp(self.container, jobs=jobs(self.container))
            self.container._closers.append(self.container.whatsapp.stop)
        self.wa = self.container.whatsapp
        self.wa.dispatcher.templates["reminder"] = TEMPLATE
        if start:
            self.wa.start()

    @property
    def app(self):
        return self.container.app

    @property
    def sweeper(self):
        return self.wa.reminders

    def close(self) -> None:
        self.container.close()
        self.twilio.stop()

    def book(self, start: datetime, phone: str | None, name: str | None = None, **kwargs) -> uuid.UUID:
        return self.app.execute(
            BookAppointment(
                actor=Actor.admin(),
                cause=f"test-{uuid.uuid4().hex[:8]}",
                organization_id=self.demo.organization_id,
                service_id=self.demo.service_ids[kwargs.pop("service", "Corte de cabello")],
                staff_id=self.demo.staff_ids[kwargs.pop("staff", "Carlos Mendoza")],
                start=start,
                customer_phone=phone,
                customer_name=name,
                **kwargs,
            )
        ).id

    def caught_up(self, timeout: float = 20.0) -> None:
        """Projections (and the WhatsApp reactions, when they run here) reached the last event."""
        position = self.app.recorder.max_notification_id()
        assert self.container.wait_for(position, timeout), "projections did not catch up"
        if self.wa.reactions.running_here:
            assert self.wa.reactions.wait_for(position, timeout), "reactions did not catch up"

    def settle(self, timeout: float = 20.0) -> None:
        for _ in range(3):
            self.caught_up(timeout)
            assert self.wa.jobs.wait_idle(timeout), "WhatsApp jobs did not finish"
        self.caught_up(timeout)

    def to(self, phone: str) -> list[dict]:
        return self.twilio.to(f"whatsapp:{phone}")

    def row(self, appointment_id: uuid.UUID) -> dict:
        return self.container.reads.get_appointment(self.demo.organization_id, appointment_id)


@pytest.fixture
def rstack(tmp_path):
    s = ReminderStack(f"sqlite:///{tmp_path / 'parlo.db'}")
    yield s
    s.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_backend_stack(request, tmp_path):
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("PostgreSQL is not reachable")
        url = _create_pg(request.node.name)
    else:
        url = f"sqlite:///{tmp_path / 'parlo.db'}"
    s = ReminderStack(url)
    yield s
    s.close()
    if request.param == "postgres":
        _drop_pg(url)


def _book_the_week(stack: ReminderStack) -> dict[str, uuid.UUID]:
    ids = {
        "soon": stack.book(SOON, JUAN, "Juan Pérez"),
        "later": stack.book(LATER, MARIA, "María López", staff="Miguel Sánchez"),
        "cancelled": stack.book(SOON + timedelta(hours=1), PEDRO, "Pedro Ruiz"),
        "walk_in": stack.book(SOON + timedelta(hours=2), None, "Don Beto", source="walk_in"),
    }
    stack.app.execute(
        CancelAppointment(actor=Actor.admin(), cause="test-cancel", organization_id=stack.demo.organization_id, appointment_id=ids["cancelled"])
    )
    stack.caught_up()
    return ids


# ---- the text ------------------------------------------------------------------------------


def test_reminder_text_is_natural_spanish() -> None:
    now = SWEEP_AT.astimezone(timezone.utc)
    body, variables = reminder_text(
        customer_name="Juan Pérez", service_name="Corte de cabello", business_name="Barbería Don Carlos",
        start=SOON.astimezone(timezone.utc), tz="America/Mexico_City", now=now,
    )
    assert body == JUAN_TEXT
    assert variables == {"1": "Juan", "2": "corte de cabello", "3": "mañana viernes 16 de enero a las 11:30 AM"}
    body, variables = reminder_text(
        customer_name=None, service_name="Corte y barba", business_name="Barbería Don Carlos",
        start=datetime(2026, 1, 19, 13, 0, tzinfo=MX), tz="America/Mexico_City", now=now,
    )
    assert body == (
        "¡Hola! Te recuerdo tu cita de corte y barba el lunes 19 de enero a la 1:00 PM en Barbería Don Carlos. "
        "Si necesitas cambiarla o cancelarla, escríbeme aquí."
    )
    assert variables["1"] == "cliente"
    # Late at night the business's own calendar decides what "mañana" is (UTC is already the next day).
    late = datetime(2026, 1, 15, 23, 0, tzinfo=MX)
    assert reminder_text(
        customer_name="Ana", service_name="Arreglo de barba", business_name="X", start=datetime(2026, 1, 16, 10, 0, tzinfo=MX),
        tz="America/Mexico_City", now=late.astimezone(timezone.utc),
    )[1]["3"] == "mañana viernes 16 de enero a las 10:00 AM"


# ---- the sweep -----------------------------------------------------------------------------


def test_one_reminder_inside_the_window_and_none_for_later_cancelled_or_walk_in(rstack: ReminderStack) -> None:
    stack = rstack
    ids = _book_the_week(stack)
    stack.clock.set(SWEEP_AT)

    due = ReminderReads(stack.container.engine).list_due_reminders(stack.clock())
    assert [row["appointment_id"] for row in due] == [ids["soon"]]
    assert due[0]["hours_before"] == 24.0 and due[0]["customer_phone"] == JUAN

    first = stack.sweeper.sweep("run-1")
    assert (first["due"], first["queued"], first["already_queued"], first["failed"]) == (1, 1, 0, 0)
    assert stack.container.wait_for(first["position"], 10)
    stack.settle()

    # Exactly one WhatsApp message, outside the 24-hour window: the approved reminder template.
    sent = stack.to(JUAN)
    assert len(sent) == 1
    assert sent[0]["content_sid"] == TEMPLATE
    assert sent[0]["content_variables"] == {"1": "Juan", "2": "corte de cabello", "3": "mañana viernes 16 de enero a las 11:30 AM"}
    assert sent[0]["from"] == f"whatsapp:{stack.demo.whatsapp_number}"
    stored = stack.app.outbound_message(reminder_message_id(ids["soon"]))
    assert stored["kind"] == "reminder" and stored["body"] == JUAN_TEXT and stored["status"] != "pending"
    for other in ("later", "cancelled", "walk_in"):
        assert stack.app.outbound_message(reminder_message_id(ids[other])) is None

    # The read model shows it (after waiting on the position, never sleeping); the audit trail has who and why.
    row = stack.row(ids["soon"])
    assert row["reminder_sent_at"] == SWEEP_AT.astimezone(timezone.utc)
    history = stack.container.reads.get_appointment_history(stack.demo.organization_id, ids["soon"])
    reminder_events = [h for h in history if h["event_type"].endswith("ReminderSent")]
    assert [(h["actor"], h["cause"]) for h in reminder_events] == [("system:reminders", "reminders:run-1")]
    assert stack.row(ids["later"])["reminder_sent_at"] is None

    # A second run finds nothing due; even a run on a stale read model queues nothing new.
    again = stack.sweeper.sweep("run-2")
    assert (again["due"], again["queued"]) == (0, 0)
    stack.settle()
    assert len(stack.to(JUAN)) == 1

    # Five hours later the Friday 19:30 appointment is inside the window: its own single reminder.
    stack.clock.set(SWEEP_AT + timedelta(hours=5))
    later = stack.sweeper.sweep("run-3")
    assert (later["due"], later["queued"]) == (1, 1)
    stack.settle()
    assert len(stack.to(MARIA)) == 1 and len(stack.to(JUAN)) == 1
    assert stack.to(MARIA)[0]["content_variables"]["3"] == "mañana viernes 16 de enero a las 7:30 PM"
    assert stack.to(PEDRO) == []
    assert stack.row(ids["cancelled"])["reminder_sent_at"] is None
    assert stack.row(ids["walk_in"])["reminder_sent_at"] is None


def test_inside_the_24_hour_window_the_exact_spanish_text_is_sent(rstack: ReminderStack) -> None:
    stack = rstack
    ids = _book_the_week(stack)
    stack.clock.set(SWEEP_AT)
    # Juan wrote to the business an hour ago: free-form text may go.
    stack.app.execute(
        RecordInboundMessage(
            actor=Actor.system("t"), cause="SMjuan", organization_id=stack.demo.organization_id, message_sid="SMjuan",
            from_address=f"whatsapp:{JUAN}", to_number=stack.demo.whatsapp_number, body="Gracias",
            received_at=SWEEP_AT - timedelta(hours=1),
        )
    )
    result = stack.sweeper.sweep()
    assert result["queued"] == 1
    stack.settle()
    sent = stack.to(JUAN)
    assert len(sent) == 1
    assert sent[0]["body"] == JUAN_TEXT and sent[0]["content_sid"] is None
    assert stack.row(ids["soon"])["reminder_sent_at"] is not None


def test_retried_run_on_a_stale_read_model_queues_nothing_new(rstack: ReminderStack) -> None:
    stack = rstack
    ids = _book_the_week(stack)
    stack.clock.set(SWEEP_AT)
    stack.container.projections.stop()  # the read side stops here: every run sees the appointment as due
    first = stack.sweeper.sweep("run-a")
    second = stack.sweeper.sweep("run-b")
    assert (first["due"], first["queued"]) == (1, 1)
    assert (second["due"], second["queued"], second["already_queued"]) == (1, 0, 1)
    stack.container.start_projection_thread()
    stack.settle()
    assert len(stack.to(JUAN)) == 1
    history = stack.container.reads.get_appointment_history(stack.demo.organization_id, ids["soon"])
    assert [h["cause"] for h in history if h["event_type"].endswith("ReminderSent")] == ["reminders:run-a"]


def test_two_concurrent_sweeps_send_one_reminder(any_backend_stack: ReminderStack) -> None:
    stack = any_backend_stack
    ids = _book_the_week(stack)
    stack.clock.set(SWEEP_AT)
    barrier = threading.Barrier(4)
    results: list[dict] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait(10)
            results.append(stack.sweeper.sweep(f"concurrent-{n}"))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sum(r["failed"] for r in results) == 0
    assert sum(r["queued"] for r in results) == 1
    stack.settle()
    assert len(stack.to(JUAN)) == 1
    history = stack.container.reads.get_appointment_history(stack.demo.organization_id, ids["soon"])
    assert len([h for h in history if h["event_type"].endswith("ReminderSent")]) == 1
    assert stack.row(ids["soon"])["reminder_sent_at"] == SWEEP_AT.astimezone(timezone.utc)


def test_a_reminder_follows_the_write_model_not_a_stale_read_row(rstack: ReminderStack) -> None:
    """Cancelled or moved a moment ago (the read model still shows it due): no reminder for it."""
    stack = rstack
    ids = _book_the_week(stack)
    stack.clock.set(SWEEP_AT)
    stack.container.projections.stop()
    org = stack.demo.organization_id
    stack.app.execute(CancelAppointment(actor=Actor.admin(), cause="t", organization_id=org, appointment_id=ids["soon"]))
    stack.app.execute(
        RescheduleAppointment(actor=Actor.admin(), cause="t", organization_id=org, appointment_id=ids["later"], start=SOON + timedelta(days=4))
    )
    result = stack.sweeper.sweep()
    assert result["queued"] == 0
    stack.container.start_projection_thread()
    stack.settle()
    assert stack.to(JUAN) == [] and stack.to(MARIA) == []


def test_the_in_process_jobs_run_the_sweep_on_their_interval(rstack: ReminderStack) -> None:
    stack = rstack
    _book_the_week(stack)
    stack.clock.set(SWEEP_AT)
    runs: list[dict] = []
    done = threading.Event()

    def sweep() -> dict:
        result = stack.sweeper.sweep()
        runs.append(result)
        done.set()
        return result

    jobs = InProcessJobs(drain=lambda *a: 0, dispatch=stack.wa.dispatcher.dispatch, clock=stack.clock, reminders=sweep, reminder_interval=0.05)
    jobs.start()
    try:
        assert done.wait(10), "the reminder loop never ran"
        assert jobs.wait_idle(10)
    finally:
        jobs.stop()
    assert sum(r["queued"] for r in runs) == 1
    stack.settle()
    assert len(stack.to(JUAN)) == 1
    # The default wiring: PARLO_REMINDER_SWEEP_SECONDS (default 300) reaches the gateway's jobs.
    assert WhatsAppSettings(_env_file=None).reminder_sweep_seconds == 300.0
    assert stack.wa.jobs.reminder_interval == 3600.0
    assert stack.wa.jobs.run_reminders().result(10)["queued"] == 0  # nothing new: already sent


# ---- arq -----------------------------------------------------------------------------------


def _redis_ok() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL).ping())
    except Exception:  # noqa: BLE001
        return False


@pytest.mark.redis
def test_the_arq_cron_job_sends_reminders(tmp_path) -> None:
    if not _redis_ok():
        pytest.skip("Redis is not reachable")
    import redis
    from arq import Worker, create_pool
    from arq.connections import RedisSettings

    from infra.worker import ArqJobs, send_reminders, worker_settings

    queue = f"parlo:test5r:{uuid.uuid4().hex[:8]}"
    stack = ReminderStack(
        f"sqlite:///{tmp_path / 'parlo.db'}", jobs=lambda c: ArqJobs(REDIS_URL, queue_name=queue, clock=c.clock), start=False
    )
    try:
        ids = _book_the_week(stack)
        stack.clock.set(SWEEP_AT)
        def reminder_crons() -> tuple[dict, list]:
            # Fresh each time, as a new worker process builds them (a CronJob remembers its next run).
            options = worker_settings(REDIS_URL, queue)
            crons = [c for c in options["cron_jobs"] if c.coroutine is send_reminders]
            assert len(crons) == 1 and crons[0].minute == set(range(0, 60, 5)) and crons[0].run_at_startup
            return options, crons

        def burst() -> None:
            options, crons = reminder_crons()

            async def main() -> None:
                pool = await create_pool(RedisSettings.from_dsn(REDIS_URL))
                worker = Worker(
                    options["functions"], cron_jobs=crons, redis_pool=pool, queue_name=queue, burst=True, poll_delay=0.05,
                    handle_signals=False, max_tries=3, keep_result=0, ctx={"whatsapp": stack.wa},
                )
                try:
                    await worker.main()
                finally:
                    await worker.close()

            asyncio.run(main())

        burst()  # the cron job (run at startup) queues the reminder and records it
        stack.caught_up()
        assert stack.row(ids["soon"])["reminder_sent_at"] == SWEEP_AT.astimezone(timezone.utc)
        assert stack.app.outbound_message(reminder_message_id(ids["soon"]))["body"] == JUAN_TEXT
        # In production the worker runs the reactions; here the test does: they enqueue the send on Redis.
        stack.wa.reactions.start()
        stack.caught_up()
        assert redis.Redis.from_url(REDIS_URL).zcard(queue) >= 1
        burst()  # dispatch_outbound sends it; the cron runs again at startup and queues nothing new
        sent = stack.to(JUAN)
        assert len(sent) == 1 and sent[0]["content_sid"] == TEMPLATE
        assert stack.sweeper.queued == 1 and stack.sweeper.runs == 2
    finally:
        stack.wa.reactions.stop()
        stack.wa.jobs.stop()
        stack.close()
        r = redis.Redis.from_url(REDIS_URL)
        for key in r.scan_iter(f"{queue}*"):
            r.delete(key)


def test_an_appointment_booked_inside_the_window_gets_no_reminder(rstack: ReminderStack) -> None:
    # given: on Thursday 15:30 Juan books for Friday 11:30 (20 h ahead: already inside the 24 h window)
    stack = rstack
    stack.clock.set(SWEEP_AT)
    booked = stack.book(SOON, JUAN, "Juan Pérez")
    stack.caught_up()

    # when: the sweep runs five minutes later
    stack.clock.set(SWEEP_AT + timedelta(minutes=5))
    run = stack.sweeper.sweep("run-inside")

    # then: his confirmation was reminder enough; nothing is queued or recorded
    assert (run["due"], run["queued"]) == (0, 0)
    assert stack.app.outbound_message(reminder_message_id(booked)) is None
    assert stack.row(booked)["reminder_sent_at"] is None
