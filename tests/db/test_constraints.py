"""Integrity lives in the database too: what the API checks first, constraints enforce anyway."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from service.db.tables import AuditEventRecord, OfficeRecord, StationRecord
from tests.factories.registry import BEISHAN, QINGBO, communities_of

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Leave only reference data behind."""


def station(**overrides) -> StationRecord:
    values = {
        "id": uuid.uuid4(),
        "township_code": BEISHAN,
        "district_code": "330106",
        "name": "杭州市西湖区北山街道社会工作站",
        "status": "operating",
        "created_at": NOW,
        "updated_at": NOW,
    } | overrides
    return StationRecord(**values)


async def insert(services, *records) -> None:
    async with services.database.session() as session:
        session.add_all(records)
        await session.commit()


async def test_one_station_per_township_is_a_unique_constraint(services):
    await insert(services, station())
    with pytest.raises(IntegrityError, match="(?i)unique|duplicate"):
        await insert(services, station())


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": "closed"},
        {"operating_mode": "self_run"},
        {"lat": 30.2, "lon": None},
        {"is_demonstration": True, "demonstration_year": None},
        {"version": 0},
        {"township_code": "330106999"},  # not a division: foreign key
    ],
)
async def test_check_and_foreign_key_constraints_refuse_bad_rows(services, overrides):
    with pytest.raises(IntegrityError):
        await insert(services, station(**overrides))


async def test_one_office_per_community_is_a_unique_constraint(services):
    parent = station(township_code=QINGBO, district_code="330102")
    await insert(services, parent)
    community = communities_of(QINGBO)[0]["code"]

    def office() -> OfficeRecord:
        return OfficeRecord(
            id=uuid.uuid4(),
            community_code=community,
            station_id=parent.id,
            district_code="330102",
            name="社工室",
            created_at=NOW,
            updated_at=NOW,
        )

    await insert(services, office())
    with pytest.raises(IntegrityError):
        await insert(services, office())


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET purpose = 'x'", "DELETE FROM audit_event"]
)
async def test_the_audit_trail_is_append_only(services, statement):
    """The triggers survive every migration (0007 rebuilds the table on SQLite)."""
    async with services.database.session() as session:
        session.add(
            AuditEventRecord(
                client_id=uuid.uuid4(),
                client_name="t",
                action="contact.read",
                subject_type="volunteer",
                subject_id=uuid.uuid4(),
                fields=["name"],
                purpose="test",
                request_id="r",
            )
        )
        await session.commit()
    async with services.database.session() as session:
        with pytest.raises(Exception, match="append-only"):
            await session.execute(text(statement))
