"""What a leak of personal data looks like in a response, recognised by pattern alone.

The session-wide scan (tests/conftest.py) and the Schemathesis check of the live contract test
(tests/live/schemathesis_hooks.py) both use this module. It imports nothing from `service`: a
validator that wrongly refuses a number must not also hide that number from the scan.

- A resident ID number: six digits of region (not starting with 0), a birth date of 18xx–20xx,
  three digits of sequence and a check character, anywhere in the text. No check digit is
  computed: a number that merely looks like one is treated as one.
- A mobile: 1, then 3–9, then nine digits (every mainland prefix, 13x to 19x), with or without
  +86 and spaces or hyphens in the usual places, anywhere.
- A landline (area code and number, 0571-87654321 or 057187654321): as the `phone` of a natural
  person (volunteers, social workers). An institution's `contact_phone` is public by design.
Only the `…/contact` endpoints may answer with any of these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

BIRTH_DATE = r"(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
RESIDENT_ID_NUMBER = re.compile(rf"(?<![0-9])[1-9][0-9]{{5}}{BIRTH_DATE}[0-9]{{3}}[0-9Xx](?![0-9])")
MOBILE_NUMBER = re.compile(
    r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])"
)
LANDLINE = re.compile(r"^\(?0[1-9][0-9]{1,2}\)?[ -]?[2-9][0-9]{6,7}(?:-[0-9]{1,6})?$")
PERSONAL_PHONE_FIELD = re.compile(r'"phone"\s*:\s*"([^"]*)"')
# UUIDs and request ids are hex: one in a few thousand holds a run of 11 digits between letters.
HEX_IDENTIFIER = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})"
    r"(?![0-9A-Za-z])"
)


def personal_numbers(body: str) -> list[str]:
    """The ID numbers, mobiles and persons' landlines a text shows (not digits in hex ids)."""
    text = HEX_IDENTIFIER.sub("-", body)
    found = RESIDENT_ID_NUMBER.findall(text) + MOBILE_NUMBER.findall(text)
    return found + [
        phone for phone in PERSONAL_PHONE_FIELD.findall(text) if LANDLINE.fullmatch(phone)
    ]


def may_disclose(url: str) -> bool:
    """Only the contact endpoints answer with unmasked personal data."""
    return urlsplit(url).path.rstrip("/").endswith("/contact")


@dataclass(frozen=True)
class Leak:
    """A response outside a contact endpoint that showed personal numbers."""

    method: str
    url: str
    status: int
    numbers: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(f"{n[:3]}…{n[-2:]} ({len(n)} characters)" for n in self.numbers)
        return f"{self.method} {self.url} -> {self.status}: {shown}"


def leak_in(method: str, url: str, status: int, body: str) -> Leak | None:
    """The leak a response is, if it is one."""
    if may_disclose(url):
        return None
    numbers = personal_numbers(body)
    return Leak(method, url, status, tuple(numbers)) if numbers else None
