"""Bearer API keys: who is calling, and whether they hold the scope an operation needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.domain.access import Caller, Scope
from service.http.problems import ProblemError
from service.http.rate_limits import IDENTIFIER_SEARCH, RateLimiter
from service.usecases.clients import Authenticator

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="`Authorization: Bearer <API key>`; keys come from `linkage clients create`.",
)

Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def require(*scopes: Scope) -> Callable[..., Awaitable[Caller]]:
    """A dependency that authenticates the caller and insists on one of `scopes` (or `admin`,
    which implies all but `pii:read` and `audit`). The scopes are kept on the dependency
    (`required_scopes`) for the OpenAPI document."""

    async def authorised_caller(request: Request, credentials: Credentials) -> Caller:
        if credentials is None:
            raise ProblemError(
                401,
                "unauthenticated",
                "send an API key as `Authorization: Bearer <key>`",
                headers={"WWW-Authenticate": "Bearer"},
            )
        authenticator: Authenticator = request.app.state.authenticator
        limiter: RateLimiter = request.app.state.rate_limiter
        caller = await authenticator.authenticate(credentials.credentials)
        if caller is None:
            await limiter.admit_unknown_key(request.scope)
            raise ProblemError(
                401,
                "invalid_api_key",
                "the API key is unknown or revoked",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        request.scope.setdefault("state", {})["client_id"] = caller.client_id
        permitted = any(caller.has(scope) for scope in scopes)
        await limiter.admit(request.scope, client_id=str(caller.client_id), permitted=permitted)
        if not permitted:
            wanted = " or ".join(repr(scope.value) for scope in scopes)
            raise ProblemError(
                403,
                "insufficient_scope",
                f"this operation needs the scope {wanted}",
                extra={"required_scope": scopes[0].value}
                | (
                    {"required_scopes": [scope.value for scope in scopes]}
                    if len(scopes) > 1
                    else {}
                ),
            )
        return caller

    authorised_caller.required_scopes = scopes  # type: ignore[attr-defined]
    return authorised_caller


def required_scopes(dependant: Dependant) -> tuple[Scope, ...]:
    """The scopes (any one of them) an operation's dependencies insist on; () for none."""
    found: tuple[Scope, ...] = getattr(dependant.call, "required_scopes", ())
    for dependency in dependant.dependencies:
        found = found or required_scopes(dependency)
    return found


ReadCaller = Annotated[Caller, Depends(require(Scope.REGISTRY_READ))]
WriteCaller = Annotated[Caller, Depends(require(Scope.REGISTRY_WRITE))]
# Unmasked personal data (the contact endpoints); every such read is audited.
PiiCaller = Annotated[Caller, Depends(require(Scope.PII_READ))]


async def limit_identifier_write(request: Request, caller: Caller, *, sets_id_number: bool) -> None:
    """A write that sets a resident ID number counts as a search by identifier: its 409 on a
    number registered already would otherwise answer the question searches are limited for."""
    if sets_id_number:
        limiter: RateLimiter = request.app.state.rate_limiter
        await limiter.charge(request.scope, IDENTIFIER_SEARCH, client_id=str(caller.client_id))
