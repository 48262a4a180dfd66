"""The projections Parlo runs (in the container's thread or in ``parlo projections run``)."""

from __future__ import annotations

import importlib
import logging
from types import ModuleType

from projections.base import Projection, collect_projections

log = logging.getLogger("parlo.projections")

# Modules exposing ``PROJECTIONS = [...]``. Optional ones (owned by other areas) are skipped
# while they do not exist yet.
MODULES = (
    "projections.organizations",
    "projections.people",
    "projections.appointments",
    "projections.audit",
    "projections.activity",
)
OPTIONAL_MODULES = ("projections.conversations",)


def _modules() -> list[ModuleType]:
    modules = [importlib.import_module(name) for name in MODULES]
    for name in OPTIONAL_MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
    return modules


def all_projections() -> list[Projection]:
    """Fresh instances of every projection, in a stable order."""
    return [cls() for cls in collect_projections(_modules())]


def projection_names() -> list[str]:
    return [p.name for p in all_projections()]


__all__ = ["Projection", "all_projections", "projection_names"]
