"""The records `linkage demo` loaded: what `linkage demo --remove` takes out, and nothing else."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from service.db.tables.columns import timestamp


class DemoRecord(SQLModel, table=True):
    """One record of the demo sample, by its table and id."""

    __tablename__ = "demo_record"

    record_type: str = Field(max_length=32, primary_key=True)
    record_id: uuid.UUID = Field(primary_key=True)
    created_at: datetime = timestamp()
