"""When the database, not the request, is at fault: unreachable, reset, too slow or overloaded."""

from __future__ import annotations

import asyncpg
from sqlalchemy import exc as sa_exc


class DatabaseUnavailable(Exception):
    """The database did not answer in time or the connection to it failed; retry later."""


# PostgreSQL errors that say the server cannot serve now, not that the statement is wrong:
# class 08 (connection exception), 53 (insufficient resources: too many connections …) and 57
# (operator intervention: statement_timeout, shutdown, starting up).
_SERVER_CANNOT_SERVE = (
    asyncpg.PostgresConnectionError,
    asyncpg.InsufficientResourcesError,
    asyncpg.OperatorInterventionError,
    # the connection broke under the driver: closed mid-operation (the server shut down) or
    # left mid-protocol by it, and refusing every further use
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InternalClientError,
)


def breaks_connection(error: BaseException) -> bool:
    """Whether a connection that raised this cannot be used again: anything but an answer the
    server gave on a sound connection (a statement's own error, or its statement_timeout)."""
    if isinstance(error, asyncpg.QueryCanceledError):
        return False
    return not isinstance(error, asyncpg.PostgresError) or _is_outage_itself(error)


def is_outage(error: BaseException) -> bool:
    """Whether an error, or the driver error it wraps, means the database is unavailable."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_outage_itself(current):
            return True
        current = getattr(current, "orig", None) or current.__cause__
    return False


def _is_outage_itself(error: BaseException) -> bool:
    if isinstance(error, DatabaseUnavailable | TimeoutError | ConnectionError):
        return True
    if isinstance(error, OSError):  # refused, unreachable, reset: the network, not a file
        return error.filename is None
    if isinstance(error, _SERVER_CANNOT_SERVE):
        return True
    if isinstance(error, sa_exc.TimeoutError | sa_exc.DisconnectionError):  # pool wait, lost
        return True
    if isinstance(error, sa_exc.DBAPIError):
        return error.connection_invalidated or isinstance(
            error, sa_exc.OperationalError | sa_exc.InterfaceError
        )
    return False
