"""The split of the old gateway/auth.py: gateway.security (tokens, magic links, principals, throttles)
plus gateway.deps; gateway.auth re-exports the same objects for one release."""

from __future__ import annotations

import typing

from fastapi.params import Depends

import gateway.auth as legacy
from gateway import deps
from gateway.security import magic_links, principals, throttle, tokens


def test_the_old_module_re_exports_the_same_objects():
    for name in legacy.__all__:
        assert hasattr(legacy, name), name
    assert legacy.TokenService is tokens.TokenService
    assert legacy.Principal is principals.Principal and legacy.OrgScope is principals.OrgScope
    assert legacy.outbound_renderer is magic_links.outbound_renderer
    assert legacy.Throttles is throttle.Throttles
    assert legacy.OrgAccess is deps.OrgAccess and legacy.ContainerDep is deps.ContainerDep


def test_dependencies_are_annotated_aliases():
    for alias, target in (
        (deps.CurrentPrincipal, principals.Principal),
        (deps.AdminPrincipal, principals.Principal),
        (deps.OrgAccess, principals.OrgScope),
        (deps.Tokens, tokens.TokenService),
        (deps.ThrottlesDep, throttle.Throttles),
        (deps.RequestId, str),
        (deps.ClientAddress, str),
    ):
        assert typing.get_origin(alias) is typing.Annotated
        base, marker = typing.get_args(alias)
        assert base is target and isinstance(marker, Depends)
    assert isinstance(typing.get_args(deps.ReadsDep)[1], Depends)
    assert isinstance(typing.get_args(deps.ContainerDep)[1], Depends)


def test_a_token_round_trip_through_the_new_module():
    service = tokens.TokenService("k" * 40)
    token, _ = service.issue_admin()
    principal = service.verify(token)
    assert principal.is_platform_admin and principal.subject == tokens.ADMIN_NAME
