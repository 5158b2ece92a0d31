"""Check characters for test data, written from the standards and never from `service` code: a
wrong check in `service.domain.identity` cannot also make the identifiers it is tested with.

The forms differ on purpose from the production code: weights are computed (powers of 3 mod 31,
powers of 2 mod 11) rather than listed, the alphabet is derived by striking letters out, and the
resident ID check is ISO 7064's `(12 − S mod 11) mod 11` rather than a lookup table.
"""

from __future__ import annotations

import string

# GB 32100-2015 table 1: the digits, then the capital letters without I, O, S, V and Z.
USCC_CHARACTERS = string.digits + "".join(c for c in string.ascii_uppercase if c not in "IOSVZ")


def uscc_check(first17: str) -> str:
    """GB 32100-2015 §5: C18 = 31 − MOD(Σ Ci × Wi, 31) with Wi = MOD(3^(i−1), 31); 31 is 0."""
    total = sum(USCC_CHARACTERS.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    value = 31 - total % 31
    return "0" if value == 31 else USCC_CHARACTERS[value]


def resident_id_check(first17: str) -> str:
    """GB 11643-1999 §5.5 (ISO 7064 MOD 11-2): Wi = 2^(18−i) mod 11, a1 = (12 − S mod 11) mod 11,
    and the value 10 is written X."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


# Every mainland mobile prefix range, 13x to 19x: factories spread their numbers over them all.
MOBILE_PREFIXES = ("130", "145", "152", "166", "173", "186", "191", "139", "158", "199")
