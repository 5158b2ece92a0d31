"""Secrets a development instance keeps beside its data when none is configured."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger("linkage.keys")


def development_secret(data_dir: Path, name: str, new: Callable[[], str]) -> str:
    """Read the secret in `data_dir/name`, creating it once (owner-only) with `new()`."""
    path = data_dir / name
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = new()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    logger.warning("created a development secret", extra={"path": str(path)})
    return secret
