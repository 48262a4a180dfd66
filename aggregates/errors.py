"""Domain errors.

Each error carries a stable ``code`` (for HTTP mapping and tests) and a Spanish message a
customer or owner can read as-is: the gateway shows it in chat, the API returns it as ``detail``.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"
    http_status = 409

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    code = "invalid_input"
    http_status = 422


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403


class SlotTaken(DomainError):
    """The staff member or spot already has something in that time."""

    code = "slot_taken"


class OutsideBusinessHours(DomainError):
    code = "outside_business_hours"


class OutsideWorkingHours(DomainError):
    code = "outside_working_hours"


class BusinessClosed(DomainError):
    code = "business_closed"


class ServiceNotOffered(DomainError):
    code = "service_not_offered"


class InactiveService(DomainError):
    code = "inactive_service"


class InactiveStaff(DomainError):
    code = "inactive_staff"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class DuplicatePhone(DomainError):
    code = "duplicate_phone"


class AlreadyExists(DomainError):
    code = "already_exists"


class InUse(DomainError):
    """Something referenced by appointments (or the only one of its kind) can't be removed."""

    code = "in_use"


class NoAvailability(DomainError):
    code = "no_availability"
