"""What every partner registry's use cases share: service areas, personal data, representation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from service.db.reader import Reader
from service.db.repositories.divisions import DivisionRepository
from service.domain.errors import FieldProblem
from service.domain.identity import mask_phone
from service.domain.partners import service_area_problems
from service.pii import PiiVault


async def service_area_check(reader: Reader, codes: Sequence[str]) -> list[FieldProblem]:
    """Problems with a service area: every code must be a Hangzhou division."""
    known = await DivisionRepository(reader).existing(codes)
    return service_area_problems(codes, known)


def sealed_phone(
    vault: PiiVault, phone: str | None, *, field: str, mask: Callable[[str], str] = mask_phone
) -> dict[str, Any]:
    """A phone as stored: ciphertext bound to `field`, and the masked copy shown to readers
    (`mask_personal_phone` for a natural person's own phone, which hides landlines too)."""
    if phone is None:
        return {f"{field}_ciphertext": None, f"{field}_masked": None}
    return {
        f"{field}_ciphertext": vault.encrypt(phone, field=field),
        f"{field}_masked": mask(phone),
    }


def location_columns(location: dict[str, float] | None, prefix: str = "") -> dict[str, Any]:
    """An API location as its two columns."""
    return {
        f"{prefix}lat": location["lat"] if location else None,
        f"{prefix}lon": location["lon"] if location else None,
    }
