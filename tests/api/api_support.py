"""Helpers of the REST API tests: the real app (FastAPI TestClient) over SQLite in tmp_path.

``api`` holds two businesses with the projections running in a background thread:

* A: the demo Barbería Don Carlos (owner Carlos, staff Miguel) plus an admin (Ana) and a viewer (Vero);
* B: Estética Lupita, with its own owner and one service.

Tokens are minted with the app's own TokenService (the magic-link flow has its own tests).
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from commands import Actor
from commands.definitions import AddService, AddStaff, RegisterOrganization
from gateway.app import create_app
from gateway.auth import TokenService
from infra.container import Container
from infra.seed import DEMO_HOURS, DemoBusiness, seed_demo

SECRET = "test-secret-key-for-the-api-suite-0123456789"
ADMIN_PASSWORD = "contraseña-de-prueba-123"
ADMIN_PHONE_A = "+525544444444"
VIEWER_PHONE_A = "+525566666666"
OWNER_PHONE_B = "+525533333333"
WHATSAPP_B = "+525587654321"


@dataclass
class Api:
    client: TestClient
    container: Container
    clock: Any
    demo: DemoBusiness
    org_a: uuid.UUID
    org_b: uuid.UUID
    staff: dict[str, uuid.UUID]  # owner, admin, staff, viewer (org A), owner_b
    service_b: uuid.UUID
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def app(self) -> Any:
        return self.container.app

    def headers(self, who: str = "owner", **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **extra}

    def get(self, path: str, who: str = "owner", **kwargs: Any):
        return self.client.get(path, headers=self.headers(who), **kwargs)

    def post(self, path: str, who: str = "owner", **kwargs: Any):
        headers = {**self.headers(who), **kwargs.pop("headers", {})}
        return self.client.post(path, headers=headers, **kwargs)

    def patch(self, path: str, who: str = "owner", **kwargs: Any):
        return self.client.patch(path, headers=self.headers(who), **kwargs)

    def put(self, path: str, who: str = "owner", **kwargs: Any):
        return self.client.put(path, headers=self.headers(who), **kwargs)

    def delete(self, path: str, who: str = "owner", **kwargs: Any):
        return self.client.delete(path, headers=self.headers(who), **kwargs)

    def org(self, suffix: str = "", org: uuid.UUID | None = None) -> str:
        return f"/api/v1/organizations/{org or self.org_a}{suffix}"

    def sync(self) -> None:
        """Wait until the projections caught up with everything written so far."""
        assert self.container.wait_for(self.app.recorder.max_notification_id(), timeout=10)

    @property
    def service(self) -> uuid.UUID:
        return self.demo.service_ids["Corte de cabello"]


@dataclass(frozen=True)
class Seeded:
    """A seeded, fully projected database file, copied for each test (seeding once is much faster)."""

    path: Path | str  # a SQLite template file (copied per test) or a database URL (used as is)
    demo: DemoBusiness
    org_b: uuid.UUID
    staff: dict[str, uuid.UUID]
    service_b: uuid.UUID


def settings_for(path: Path | str, make_settings: Callable[..., Any] | None = None) -> Any:
    """Settings for a SQLite file (a Path) or a database URL (a str), ignoring ``.env``."""
    from infra.settings import Settings

    url = f"sqlite:///{path}" if isinstance(path, Path) else path
    values = {
        "PARLO_DATABASE_URL": url,
        "PARLO_ENV": "test",
        "PARLO_SECRET_KEY": SECRET,
        "PARLO_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PARLO_PUBLIC_BASE_URL": "https://app.parlo.test",
    }
    return Settings(_env_file=None, **values)


def seed_template(path: Path, clock: Any, make_settings: Callable[..., Any] | None = None) -> Seeded:
    seeded = seed_template_into(path, clock)
    for file in (path, _readmodels_file(path)):
        with sqlite3.connect(file) as conn:  # fold the WAL into the file so a plain copy is complete
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return seeded


def _readmodels_file(path: Path) -> Path:
    return Path(settings_for(path).sqlite_readmodels_path)


def seed_template_into(path: Path | str, clock: Any) -> Seeded:
    """Seed both businesses into a SQLite file or a database URL and project everything."""
    container = Container(settings_for(path), clock=clock)
    try:
        app = container.app
        demo = seed_demo(app)
        system = Actor.system("api-tests")
        staff = {"owner": demo.staff_ids["Carlos Mendoza"], "staff": demo.staff_ids["Miguel Sánchez"]}
        for key, name, phone in (("admin", "Ana Torres", ADMIN_PHONE_A), ("viewer", "Vero Díaz", VIEWER_PHONE_A)):
            staff[key] = app.execute(
                AddStaff(actor=system, cause="api-tests", organization_id=demo.organization_id, name=name, phone_number=phone, permission_level=key)
            ).id
        org_b = app.execute(
            RegisterOrganization(
                actor=system,
                cause="api-tests",
                name="Estética Lupita",
                whatsapp_number=WHATSAPP_B,
                business_type="beauty_salon",
                business_hours=DEMO_HOURS,
                activate=True,
            )
        ).id
        service_b = app.execute(
            AddService(actor=system, cause="api-tests", organization_id=org_b, name="Manicure", duration_minutes=45, price_cents=25000)
        ).id
        staff["owner_b"] = app.execute(
            AddStaff(actor=system, cause="api-tests", organization_id=org_b, name="Lupita Ramírez", phone_number=OWNER_PHONE_B, permission_level="owner")
        ).id
        container.projections.run_once()
        assert container.wait_for(app.recorder.max_notification_id(), timeout=10)
    finally:
        container.close()
    return Seeded(path, demo, org_b, staff, service_b)


def open_api(seeded: Seeded, tmp_path: Path, clock: Any, make_settings: Callable[..., Any] | None = None) -> tuple[Api, Container]:
    """A fresh copy of the seeded database (or the seeded URL), served by a new container with its projection thread."""
    target: Path | str = seeded.path
    if isinstance(seeded.path, Path):
        target = tmp_path / "parlo.db"
        shutil.copyfile(seeded.path, target)
        shutil.copyfile(_readmodels_file(seeded.path), _readmodels_file(target))
    container = Container(settings_for(target), clock=clock)
    container.start_projection_thread()
    client = TestClient(create_app(container))
    demo = seeded.demo
    api = Api(client, container, clock, demo, demo.organization_id, seeded.org_b, dict(seeded.staff), seeded.service_b)
    api.sync()
    tokens = TokenService(SECRET, clock)
    for level in ("owner", "admin", "staff", "viewer"):
        api.tokens[level] = tokens.issue_staff(staff_id=api.staff[level], organization_id=api.org_a, permission_level=level)[0]
    api.tokens["owner_b"] = tokens.issue_staff(staff_id=api.staff["owner_b"], organization_id=api.org_b, permission_level="owner")[0]
    api.tokens["platform"] = tokens.issue_admin("admin")[0]
    return api, container
