"""Handlers for a business's end customers."""

from __future__ import annotations

from aggregates.customer import Customer
from aggregates.errors import PermissionDenied
from commands.base import CommandBase, CommandResult
from commands.definitions import AddCustomer, UpdateCustomer
from commands.phones import normalize_phone


def _authorize_customer_change(app: CommandBase, cmd_actor, organization_id, phone: str, action: str) -> None:
    """A customer changes only their own record (same phone); anyone else needs ``action``."""
    if cmd_actor.kind == "customer":
        if normalize_phone(cmd_actor.id) != phone:
            raise PermissionDenied("Solo puedes cambiar tus propios datos.")
        return
    app._authorize(organization_id, cmd_actor, action)


def add_customer(app: CommandBase, cmd: AddCustomer) -> CommandResult:
    org = app._organization(cmd.organization_id)
    phone = normalize_phone(cmd.phone_number)
    _authorize_customer_change(app, cmd.actor, org.id, phone, "manage_customers")
    customer_id = Customer.create_id(org.id, phone)
    verified_at = app.now() if cmd.name_verified else None
    if app._exists(customer_id):
        customer = app._owned(Customer, customer_id, org.id, "No encontré a ese cliente.")
        if cmd.name:
            customer.learn_name(cmd.name, verified_at=verified_at)
        changes = {k: v for k, v in {"email": cmd.email, "notes": cmd.notes}.items() if v is not None}
        customer.update_details(changes)
        return CommandResult(customer.id, app._save(customer), {"created": False})
    customer = Customer.register(
        organization_id=org.id,
        phone_number=phone,
        name=cmd.name,
        name_verified_at=verified_at,
        email=cmd.email,
        notes=cmd.notes,
    )
    return CommandResult(customer.id, app._save(customer), {"created": True})


def update_customer(app: CommandBase, cmd: UpdateCustomer) -> CommandResult:
    customer = app._owned(Customer, cmd.customer_id, cmd.organization_id, "No encontré a ese cliente.")
    _authorize_customer_change(app, cmd.actor, cmd.organization_id, customer.phone_number, "manage_customers")
    if cmd.name is not None:
        verified_at = app.now() if cmd.name_verified else None
        customer.learn_name(cmd.name, verified_at=verified_at)
    changes = {k: v for k, v in {"email": cmd.email, "notes": cmd.notes}.items() if v is not None}
    customer.update_details(changes)
    return CommandResult(customer.id, app._save(customer))


HANDLERS = {
    AddCustomer: add_customer,
    UpdateCustomer: update_customer,
}
