"""National identifiers: the Unified Social Credit Code and the resident identity number.

Both carry a check character; both are validated here, not merely pattern-matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# GB 32100-2015: 0-9 and A–Y without I, O, S, V, Z; each character's value is its index here.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# The registration authority and category (first two characters) that matter to the network.
REGISTRATION_CATEGORIES: dict[str, tuple[str, str]] = {
    "11": ("government_organ", "机关"),
    "12": ("public_institution", "事业单位"),
    "13": ("mass_organisation", "群众团体"),
    "19": ("other_establishment", "其他机构编制单位"),
    "51": ("social_group", "社会团体"),
    "52": ("private_non_enterprise_unit", "民办非企业单位"),
    "53": ("foundation", "基金会"),
    "59": ("other_civil_affairs", "其他民政登记单位"),
    "91": ("enterprise", "企业"),
    "92": ("individual_business", "个体工商户"),
    "93": ("farmers_cooperative", "农民专业合作社"),
}

# GB 11643-1999 (MOD 11-2) weights and the check characters for each remainder.
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"

_USCC_SHAPE = re.compile(rf"[{USCC_ALPHABET}]{{2}}[0-9]{{6}}[{USCC_ALPHABET}]{{10}}")
_RESIDENT_ID_SHAPE = re.compile(r"[1-9][0-9]{16}[0-9X]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_ALL_BUT_LAST_FOUR = re.compile(r"[0-9](?=(?:[^0-9]*[0-9]){4})")


@dataclass(frozen=True, slots=True)
class RegistrationCategory:
    """What kind of legal person a USCC belongs to, read from its first two characters."""

    code: str
    name: str
    label_zh: str


def uscc_check_character(first17: str) -> str:
    """The 18th character GB 32100-2015 computes from the first 17."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(value: str) -> str | None:
    """Why `value` is not a valid Unified Social Credit Code, or None when it is."""
    if len(value) != 18:
        return "a Unified Social Credit Code has 18 characters"
    if not _USCC_SHAPE.fullmatch(value):
        return "only 0-9 and A–Y without I, O, S, V, Z; characters 3–8 are digits"
    expected = uscc_check_character(value[:17])
    if value[17] != expected:
        return f"the check character should be {expected!r}, not {value[17]!r}"
    return None


def registration_category(uscc: str) -> RegistrationCategory:
    """The registration category of a (valid) USCC; `other` for codes we do not name."""
    name, label = REGISTRATION_CATEGORIES.get(uscc[:2], ("other", "其他"))
    return RegistrationCategory(code=uscc[:2], name=name, label_zh=label)


def resident_id_check_character(first17: str) -> str:
    """The 18th character GB 11643-1999 (ISO 7064 MOD 11-2) computes from the first 17."""
    total = sum(int(c) * w for c, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK[total % 11]


def resident_id_problem(value: str, *, today: date) -> str | None:
    """Why `value` is not a valid 18-digit resident identity number, or None when it is."""
    if not _RESIDENT_ID_SHAPE.fullmatch(value):
        return "a resident identity number is 17 digits and a check digit (0-9 or X)"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"{value[6:14]} is not a real birth date"
    if born.year < 1900 or born > today:
        return f"a birth date of {born.isoformat()} is impossible"
    expected = resident_id_check_character(value[:17])
    if value[17] != expected:
        return f"the check digit should be {expected!r}, not {value[17]!r}"
    return None


def is_mobile(value: str) -> bool:
    """A mainland mobile number (11 digits starting 13–19)."""
    return _MOBILE.fullmatch(value) is not None


def mask_phone(value: str) -> str:
    """`138****5678` for a mobile; other numbers (institutions' landlines) stay as they are."""
    return f"{value[:3]}****{value[7:]}" if is_mobile(value) else value


def mask_personal_phone(value: str) -> str:
    """A natural person's phone: a mobile as `138****5678`, any other number with all but its
    last four digits starred (`****-****4321`): a person's landline is personal data too."""
    return mask_phone(value) if is_mobile(value) else _ALL_BUT_LAST_FOUR.sub("*", value)


def mask_resident_id(value: str) -> str:
    """`330102********1234`: the region and the last four, never the birth date."""
    return f"{value[:6]}{'*' * 8}{value[14:]}"


def mask_name(value: str) -> str:
    """A natural person's name with all but its first and last characters hidden: `王*明`,
    `欧**明`; a two-character name keeps its first (`李*`), a one-character name none (`*`).
    Latin names keep the first and last letter of the whole (`J********h`)."""
    text = value.strip()
    if len(text) <= 1:
        return "*"
    if len(text) == 2:
        return f"{text[0]}*"
    return f"{text[0]}{'*' * (len(text) - 2)}{text[-1]}"
