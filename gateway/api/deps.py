"""Typed dependencies of the REST routers: the container's parts they use and the read stores.

``Container`` and ``Reads`` are ``Annotated`` aliases (FastAPI full-stack template style): a route
declares ``container: Container`` or ``reads: Reads`` and gets a typed object, so every read is a
checked method call (``reads.get_service(...)``), never a method name in a string. Auth dependencies
(tokens, principals, organization scope) live with the security code, not here.
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from fastapi import Depends, Request

from commands.application import ParloApplication
from readmodels.availability import AvailabilityService
from readmodels.conversations import ConversationReads
from readmodels.queries import ReadStore


class ApiContainer(Protocol):
    """What the REST API needs of ``infra.container.Container`` (the one composition root)."""

    @property
    def app(self) -> ParloApplication: ...

    @property
    def reads(self) -> ReadStore: ...

    @property
    def conversation_reads(self) -> ConversationReads: ...

    @property
    def availability(self) -> AvailabilityService: ...

    @property
    def engine(self) -> Any: ...  # the read-model engine (admin platform queries)

    @property
    def projections(self) -> Any: ...  # the projection runner (admin: positions, lag, failures)

    def wait_for(self, position: int | None, timeout: float = 10.0) -> bool: ...


def get_api_container(request: Request) -> ApiContainer:
    return request.app.state.container


def get_reads(container: Annotated[ApiContainer, Depends(get_api_container)]) -> ReadStore:
    return container.reads


def get_conversation_reads(container: Annotated[ApiContainer, Depends(get_api_container)]) -> ConversationReads:
    return container.conversation_reads


Container = Annotated[ApiContainer, Depends(get_api_container)]
Reads = Annotated[ReadStore, Depends(get_reads)]
ConversationStore = Annotated[ConversationReads, Depends(get_conversation_reads)]
