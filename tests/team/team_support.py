"""Helpers for the team tests: the demo business on SQLite with projections, a frozen clock, and a
chat driver that keeps the team dialogue state the way the gateway stores it.

``TeamWorld(tmp_path, clock)`` seeds Barbería Don Carlos (owner Carlos, staff Miguel), adds an
admin (Laura) and a viewer (Vero), and gives ``world.chat(phone)`` -> ``TeamChat``. Appointments
for the scenarios are booked through commands (``world.book(...)``), never written as rows.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from agent.team.service import TeamAgent
from commands import Actor
from commands.messages import AddStaff, BlockTime, BookAppointment
from infra.seed import seed_demo

MX = ZoneInfo("America/Mexico_City")
OWNER = "+525511111111"  # Carlos Mendoza (owner)
STAFF = "+525522222222"  # Miguel Sánchez (staff)
ADMIN = "+525533333333"  # Laura Ríos (admin)
VIEWER = "+525544444444"  # Vero Díaz (viewer)
PHONES = {"owner": OWNER, "admin": ADMIN, "staff": STAFF, "viewer": VIEWER}
_counter = itertools.count(1)
SYSTEM = Actor.system("team-tests")


class TeamWorld:
    def __init__(self, tmp_path, clock) -> None:
        from infra.container import Container
        from infra.settings import Settings

        self.clock = clock
        settings = Settings(_env_file=None, PARLO_DATABASE_URL=f"sqlite:///{tmp_path / 'team.db'}", PARLO_ENV="test")
        self.container = Container(settings, clock=clock)
        self.app = self.container.app
        self.demo = seed_demo(self.app)
        self.staff_ids = dict(self.demo.staff_ids)
        for name, phone, level in (("Laura Ríos", ADMIN, "admin"), ("Vero Díaz", VIEWER, "viewer")):
            self.staff_ids[name] = self.app.execute(AddStaff(
                actor=SYSTEM, cause="team-tests", organization_id=self.org_id, name=name, phone_number=phone,
                permission_level=level, service_ids=list(self.demo.service_ids.values()),
            )).id
        self.runner = self.container.projections
        self.reads = self.container.reads
        self.catch_up()
        self.agent = TeamAgent(app=self.app, reads=self.reads, wait_for=self.wait_for, clock=clock)

    # ---- plumbing ----------------------------------------------------------------------------

    def catch_up(self) -> None:
        for _ in range(100):
            if not self.runner.run_once():
                break

    def wait_for(self, position: int | None, timeout: float = 10.0) -> bool:
        self.catch_up()
        return self.runner.wait_for(position, timeout=timeout) if position is not None else True

    @property
    def org_id(self) -> uuid.UUID:
        return self.demo.organization_id

    def sid(self, name: str) -> uuid.UUID:
        return {"Carlos": self.staff_ids["Carlos Mendoza"], "Miguel": self.staff_ids["Miguel Sánchez"],
                "Laura": self.staff_ids["Laura Ríos"], "Vero": self.staff_ids["Vero Díaz"]}[name]

    def service(self, name: str) -> uuid.UUID:
        return self.demo.service_ids[name]

    def local(self, day_offset: int, hour: int, minute: int = 0) -> datetime:
        today = self.clock().astimezone(MX).date()
        return datetime(today.year, today.month, today.day, hour, minute, tzinfo=MX) + timedelta(days=day_offset)

    # ---- scenario setup (through commands) ------------------------------------------------------

    def book(self, *, staff: str, service: str, day: int, hour: int, minute: int = 0, phone: str, name: str) -> uuid.UUID:
        """Book as the system, possibly in the past (the clock is moved back while booking)."""
        start = self.local(day, hour, minute)
        saved = self.clock.current
        if start < saved:
            self.clock.set(start - timedelta(hours=2))
        try:
            result = self.app.execute(BookAppointment(
                actor=SYSTEM, cause="team-tests", organization_id=self.org_id, service_id=self.service(service),
                start=start, customer_phone=phone, customer_name=name, staff_id=self.sid(staff), source="manual",
            ))
        finally:
            self.clock.set(saved)
        self.wait_for(result.position)
        return result.id

    def block(self, *, staff: str, day: int, start: tuple[int, int], end: tuple[int, int], reason: str = "") -> uuid.UUID:
        result = self.app.execute(BlockTime(
            actor=SYSTEM, cause="team-tests", organization_id=self.org_id, staff_id=self.sid(staff),
            start=self.local(day, *start), end=self.local(day, *end), reason=reason,
        ))
        self.wait_for(result.position)
        return result.id

    # ---- reading what happened -----------------------------------------------------------------------

    def appointments(self, **filters: Any) -> list[dict]:
        self.catch_up()
        return self.reads.list_appointments(self.org_id, **filters)

    def blocks(self, staff: str | None = None) -> list[dict]:
        self.catch_up()
        return self.reads.list_blocks(self.org_id, staff_id=self.sid(staff) if staff else None)

    def outbound(self, phone: str) -> list[dict]:
        """Outbound messages queued to a phone (read model), oldest first; ``text`` is the body."""
        self.catch_up()
        return [{**m, "text": m["content"]} for m in self.container.conversation_reads.list_outbound_to(self.org_id, phone)]

    def snapshot(self) -> tuple:
        """Everything a wrong change could touch: appointments (status, time, staff), blocks, customers, the team."""
        self.catch_up()
        appts = sorted((str(a["id"]), a["status"], a["scheduled_start"].isoformat(), str(a["staff_id"])) for a in self.appointments())
        blocks = sorted((str(b["id"]), b["start"].isoformat(), b["end"].isoformat()) for b in self.blocks())
        customers = sorted((c["phone_number"], c.get("name") or "") for c in self.reads.list_customers(self.org_id, limit=1000))
        team = sorted((str(s["id"]), s.get("permission_level") or "", bool(s.get("is_active", True))) for s in self.reads.list_staff(self.org_id))
        return appts, blocks, customers, team

    def chat(self, who: str = "staff", *, first_message: bool = False) -> TeamChat:
        """``first_message``: the chat's first message is the person's first ever (onboarding)."""
        return TeamChat(self, PHONES.get(who, who), first_message)

    def close(self) -> None:
        self.container.close()


class TeamChat:
    def __init__(self, world: TeamWorld, phone: str, first_message: bool = False) -> None:
        self.world = world
        self.phone = phone
        self.first_message = first_message
        self.state: dict = {}
        self.transcript: list[str] = []
        row = world.app.staff_for_phone(world.org_id, phone)
        assert row is not None, phone
        self.staff_id = row["id"]

    def say(self, text: str) -> str:
        outcome = self.world.agent.handle(
            organization_id=self.world.org_id, staff_id=self.staff_id, text=text,
            message_id=f"SM{next(_counter):032x}", state=self.state, first_message=self.first_message,
        )
        self.first_message = False
        self.state = outcome.state
        reply = "\n".join(outcome.replies)
        self.transcript += [f"Equipo: {text}", f"Parlo: {reply}"]
        return reply

    @property
    def pending(self) -> Any:
        return (self.state.get("team") or {}).get("pending")

    def dump(self) -> str:
        return "\n".join(self.transcript)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)
