"""Bearer API keys: who is calling, and whether they hold the scope an operation needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
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


def require(scope: Scope) -> Callable[..., Awaitable[Caller]]:
    """A dependency that authenticates the caller and insists on `scope` (or `admin`)."""

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
        permitted = caller.has(scope)
        await limiter.admit(request.scope, client_id=str(caller.client_id), permitted=permitted)
        if not permitted:
            raise ProblemError(
                403,
                "insufficient_scope",
                f"this operation needs the scope {scope.value!r}",
                extra={"required_scope": scope.value},
            )
        return caller

    return authorised_caller


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
