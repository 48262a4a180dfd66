"""Handlers for a business's end customers."""

from __future__ import annotations

from aggregates.customer import Customer
from aggregates.errors import PermissionDenied
from commands.base import CommandBase, CommandResult, retry_on_conflict
from commands.messages import AddCustomer, UpdateCustomer
from commands.phones import normalize_phone


class CustomerCommands(CommandBase):
    def _customer_actor_label(self, cmd_actor, organization_id, phone: str, action: str) -> str:
        if cmd_actor.kind == "customer":
            if normalize_phone(cmd_actor.id) != phone:
                raise PermissionDenied("Solo puedes cambiar tus propios datos.")
            return f"customer:{phone}"
        label, _ = self._authorize(organization_id, cmd_actor, action)
        return label

    @retry_on_conflict
    def add_customer(self, cmd: AddCustomer) -> CommandResult:
        org = self._organization(cmd.organization_id)
        phone = normalize_phone(cmd.phone_number)
        label = self._customer_actor_label(cmd.actor, org.id, phone, "manage_customers")
        customer_id = Customer.create_id(org.id, phone)
        verified_at = self.now() if cmd.name_verified else None
        if self._exists(customer_id):
            customer = self._owned(Customer, customer_id, org.id, "No encontré a ese cliente.")
            if cmd.name:
                customer.learn_name(cmd.name, verified_at=verified_at, actor=label, cause=cmd.cause)
            changes = {k: v for k, v in {"email": cmd.email, "notes": cmd.notes}.items() if v is not None}
            customer.update_details(changes, actor=label, cause=cmd.cause)
            return CommandResult(customer.id, self._save(customer), {"created": False})
        customer = Customer.register(
            organization_id=org.id,
            phone_number=phone,
            name=cmd.name,
            name_verified_at=verified_at,
            email=cmd.email,
            notes=cmd.notes,
            actor=label,
            cause=cmd.cause,
        )
        return CommandResult(customer.id, self._save(customer), {"created": True})

    @retry_on_conflict
    def update_customer(self, cmd: UpdateCustomer) -> CommandResult:
        customer = self._owned(Customer, cmd.customer_id, cmd.organization_id, "No encontré a ese cliente.")
        label = self._customer_actor_label(cmd.actor, cmd.organization_id, customer.phone_number, "manage_customers")
        if cmd.name is not None:
            verified_at = self.now() if cmd.name_verified else None
            customer.learn_name(cmd.name, verified_at=verified_at, actor=label, cause=cmd.cause)
        changes = {k: v for k, v in {"email": cmd.email, "notes": cmd.notes}.items() if v is not None}
        customer.update_details(changes, actor=label, cause=cmd.cause)
        return CommandResult(customer.id, self._save(customer))
