"""A natural person's name as callers without `pii:read` see it."""

from __future__ import annotations

import pytest

from service.domain.identity import mask_name


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("李", "*"),
        ("李四", "李*"),
        ("王小明", "王*明"),
        ("欧阳明月", "欧**月"),
        ("阿依古丽·买买提", "阿******提"),
        (" 王小明 ", "王*明"),
        ("Li", "L*"),
        ("John Smith", "J********h"),
    ],
)
def test_only_the_first_and_last_characters_show(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize("name", ["王小明", "欧阳明月", "阿依古丽", "李四"])
def test_the_hidden_characters_never_show(name: str) -> None:
    hidden = name[1:-1] if len(name) > 2 else name[1:]
    assert not set(hidden) & set(mask_name(name))
