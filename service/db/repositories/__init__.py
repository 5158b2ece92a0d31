"""Repositories: the only code that writes SQL. They never commit; the use case does."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

# Reads run on a lean autocommit connection, writes in a session; both execute the same statements.
Executor = AsyncConnection | AsyncSession
