import asyncio
from collections.abc import AsyncIterator

import pytest

from service.usecases import allocation_runs


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Every API test leaves only reference data behind."""


@pytest.fixture(autouse=True)
async def _runs_finish(_isolated: None) -> AsyncIterator[None]:
    """No allocation run outlives its test: the tables are emptied after each one."""
    yield
    pending = list(allocation_runs._running)
    if pending:
        await asyncio.wait_for(asyncio.gather(*pending, return_exceptions=True), timeout=30)
