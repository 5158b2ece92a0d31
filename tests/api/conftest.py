import pytest


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Every API test leaves only reference data behind."""
