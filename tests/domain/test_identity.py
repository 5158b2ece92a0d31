"""National identifiers against the standards' worked examples, real published codes and cases
worked out by hand – never against values the code under test produced. The sums are written
out so that a reader can redo them with pencil and paper."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.identity import (
    is_mobile,
    mask_personal_phone,
    mask_phone,
    mask_resident_id,
    registration_category,
    resident_id_check_character,
    resident_id_problem,
    uscc_check_character,
    uscc_problem,
)
from tests.factories.identifiers import USCC_CHARACTERS, resident_id_check, uscc_check

TODAY = date(2026, 3, 14)

# --- resident identity numbers (GB 11643-1999, ISO 7064 MOD 11-2) -------------------------------
# S = Σ ai·Wi with W = 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; the check is (12 − S mod 11) mod 11,
# 10 written X. For 3301061990010112d the first sixteen digits give
#   3·7 + 3·9 + 0·10 + 1·5 + 0·8 + 6·4 + 1·2 + 9·1 + 9·6 + 0·3 + 0·7 + 1·9 + 0·10 + 1·5 + 1·8 + 2·4
#   = 21 + 27 + 5 + 24 + 2 + 9 + 54 + 9 + 5 + 8 + 8 = 172, so S = 172 + 2d:
RESIDENT_IDS = {
    # The standard's worked examples: S = 167, 167 mod 11 = 2 → X; S = 195, 195 mod 11 = 8 → 4.
    "11010519491231002X": "GB 11643-1999 example (female, Beijing Chaoyang, 1949-12-31)",
    "440524188001010014": "GB 11643-1999 example (male, Guangdong Chaoyang, 1880-01-01)",
    "330106199001011205": "S = 172, mod 11 = 7 → 5",
    "330106199001011213": "S = 174, mod 11 = 9 → 3",
    "330106199001011221": "S = 176, mod 11 = 0 → 1",
    "33010619900101123X": "S = 178, mod 11 = 2 → X",
    "330106199001011248": "S = 180, mod 11 = 4 → 8",
    "330106199001011256": "S = 182, mod 11 = 6 → 6",
    "330106199001011264": "S = 184, mod 11 = 8 → 4",
    "330106199001011272": "S = 186, mod 11 = 10 → 2",
    "330106199001011280": "S = 188, mod 11 = 1 → 0",
    "330106199001011299": "S = 190, mod 11 = 3 → 9",
    # 1101051949123100d: S = 167 − 2·2 + 2d = 163 + 2d; d = 9 gives 181, mod 11 = 5 → 7.
    "110105194912310097": "S = 181, mod 11 = 5 → 7",
    # 3·7+3·9+0+1·5+0+2·4+1·2+9·1+8·6+5·3+1·7+2·9+3·10+1·5+0+0+2·2 = 199, mod 11 = 1 → 0
    "330102198512310020": "S = 199, mod 11 = 1 → 0",
}
BORN_SINCE_1900 = [number for number in RESIDENT_IDS if number[6:8] != "18"]


@pytest.mark.parametrize("number", RESIDENT_IDS)
def test_the_resident_id_check_character_is_the_standards(number):
    assert resident_id_check_character(number[:17]) == number[17]


@pytest.mark.parametrize("number", BORN_SINCE_1900)
def test_a_valid_resident_id_number_has_no_problem(number):
    assert resident_id_problem(number, today=TODAY) is None


@pytest.mark.parametrize("number", BORN_SINCE_1900)
def test_every_other_check_character_is_named_wrong(number):
    for wrong in "0123456789X".replace(number[17], ""):
        problem = resident_id_problem(number[:17] + wrong, today=TODAY)
        assert problem == f"the check digit should be {number[17]!r}, not {wrong!r}"


def with_check(first17: str) -> str:
    """An ID number whose check character is right (from the tests' own oracle)."""
    return first17 + resident_id_check(first17)


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        (with_check("33010619900230123"), "19900230 is not a real birth date"),
        (with_check("33010619901301123"), "19901301 is not a real birth date"),
        (with_check("33010618991231123"), "a birth date of 1899-12-31 is impossible"),
        (with_check("33010620260315123"), "a birth date of 2026-03-15 is impossible"),  # tomorrow
        (
            "3301061990010112",
            "a resident identity number is 17 digits and a check digit (0-9 or X)",
        ),
        (
            "3301061990010112300",
            "a resident identity number is 17 digits and a check digit (0-9 or X)",
        ),
        (
            "03010619900101123X",
            "a resident identity number is 17 digits and a check digit (0-9 or X)",
        ),
        (
            "33010619900101123x",
            "a resident identity number is 17 digits and a check digit (0-9 or X)",
        ),
        (
            "3301061990010112X3",
            "a resident identity number is 17 digits and a check digit (0-9 or X)",
        ),
    ],
)
def test_an_impossible_resident_id_number_says_why(number, problem):
    assert resident_id_problem(number, today=TODAY) == problem


@pytest.mark.parametrize("born", ["19000101", "20260314", "20000229"])
def test_the_earliest_and_latest_birth_dates_and_a_leap_day_are_possible(born):
    assert resident_id_problem(with_check(f"330106{born}123"), today=TODAY) is None


def test_a_resident_id_number_is_masked_to_its_region_and_last_four():
    assert mask_resident_id("33010619900101123X") == "330106********123X"


# --- Unified Social Credit Codes (GB 32100-2015) --------------------------------------------------
# Σ Ci·Wi with W = 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28; the check is 31 − Σ mod 31
# (31 written 0); the characters count 0–9, then A=10 … H=17, J=18 … N=22, P=23 … R=25, T=26,
# U=27, W=28, X=29, Y=30.
#
# 12330100470116622A (杭州市第二人民医院), worked in full:
#   1·1 + 2·3 + 3·9 + 3·27 + 0·19 + 1·26 + 0·16 + 0·17 + 4·20 + 7·29 + 0·25 + 1·13 + 1·8 + 6·24
#   + 6·10 + 2·30 + 2·28 = 1+6+27+81+26+80+203+13+8+144+60+60+56 = 765 = 24·31 + 21 → 10 = A.
# Changing only the 17th character (weight 28) moves Σ by 28 per step of its value:
#   …6629: 765 − 2·28 + 9·28 = 961 = 31·31 + 0  → 31 − 0 = 31, written 0
#   …662K: 765 − 2·28 + 19·28 = 1241 = 40·31 + 1 → 31 − 1 = 30 = Y
#   …662Y: 765 − 2·28 + 30·28 = 1549 = 49·31 + 30 → 31 − 30 = 1
USCCS = {
    # GB 32100-2015's worked example: Σ = 1640 = 52·31 + 28 → 3.
    "91350100M000100Y43": "GB 32100-2015 example",
    # A published worked example: Σ = 1505 = 48·31 + 17 → 14 = E.
    "91512081MA62K0260E": "published example, Σ = 1505",
    # Real codes of Hangzhou institutions (public registers):
    "12330100470116622A": "杭州市第二人民医院, Σ = 765 → A",
    # Σ = 649 (as above to the 15th) + 5·30 + 7·28 = 995 = 32·31 + 3 → 28 = W
    "12330100470116657W": "杭州市红会医院, Σ = 995 → W",
    # Σ = 649 + 7·30 + 3·28 = 943 = 30·31 + 13 → 18 = J
    "12330100470116673J": "杭州市第七人民医院, Σ = 943 → J",
    # 1+6+27+81+0+0+0+0+80+203+0+0+0+72+20+240+28 = 758 = 24·31 + 14 → 17 = H
    "12330000470003281H": "浙江大学 (organisation code 47000328-1), Σ = 758 → H",
    # 1+6+27+81+0+26+0+153+80+203+0+52+40+72+40+270+84 = 1135 = 36·31 + 19 → 12 = C
    "12330109470453493C": "萧山区第一人民医院, Σ = 1135 → C",
    "123301004701166290": "remainder 0 → 0",
    "1233010047011662KY": "remainder 1 → Y",
    "1233010047011662Y1": "remainder 30 → 1",
}


@pytest.mark.parametrize("code", USCCS)
def test_the_uscc_check_character_is_the_standards(code):
    assert uscc_check_character(code[:17]) == code[17]
    assert uscc_problem(code) is None


@pytest.mark.parametrize("code", USCCS)
def test_every_other_uscc_check_character_is_named_wrong(code):
    for wrong in USCC_CHARACTERS.replace(code[17], ""):
        problem = uscc_problem(code[:17] + wrong)
        assert problem == f"the check character should be {code[17]!r}, not {wrong!r}"


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91350100M000100Y4", "a Unified Social Credit Code has 18 characters"),
        ("91350100M000100Y433", "a Unified Social Credit Code has 18 characters"),
        ("91350100M000100Y4Z", "only 0-9 and A–Y without I, O, S, V, Z; characters 3–8 are digits"),
        ("91350100M0001O0Y43", "only 0-9 and A–Y without I, O, S, V, Z; characters 3–8 are digits"),
        ("913501A0M000100Y43", "only 0-9 and A–Y without I, O, S, V, Z; characters 3–8 are digits"),
        ("91350100m000100y43", "only 0-9 and A–Y without I, O, S, V, Z; characters 3–8 are digits"),
    ],
)
def test_a_malformed_uscc_says_why(code, problem):
    assert uscc_problem(code) == problem


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("12330100470116622A", ("12", "public_institution", "事业单位")),
        ("91350100M000100Y43", ("91", "enterprise", "企业")),
        ("53330000MJ8848016P", ("53", "foundation", "基金会")),
        ("Y1330100MA00000000", ("Y1", "other", "其他")),
    ],
)
def test_the_registration_category_is_read_from_the_first_two_characters(code, category):
    found = registration_category(code)
    assert (found.code, found.name, found.label_zh) == category


# --- mobiles ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13012345678", "130****5678"),
        ("13998765432", "139****5432"),
        ("14512345678", "145****5678"),
        ("15212345678", "152****5678"),
        ("16612345678", "166****5678"),
        ("17312345678", "173****5678"),
        ("18612345678", "186****5678"),
        ("19112345678", "191****5678"),
    ],
)
def test_every_mobile_prefix_is_masked(phone, masked):
    assert is_mobile(phone)
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    "phone",
    [
        "0571-87654321",
        "057187654321",
        "0571-8765432-123",
        "12012345678",
        "11012345678",
        "1381234567",
        "138123456789",
        "1381234567X",
    ],
)
def test_landlines_and_other_numbers_are_no_mobiles_and_stay_as_they_are(phone):
    assert not is_mobile(phone)
    assert mask_phone(phone) == phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("15212345678", "152****5678"),
        ("0571-87654321", "****-****4321"),
        ("057187654321", "********4321"),
        ("010-62751234", "***-****1234"),
        ("0571-87654321-8008", "****-********-8008"),
    ],
)
def test_a_persons_phone_is_masked_whether_mobile_or_landline(phone, masked):
    assert mask_personal_phone(phone) == masked


@pytest.mark.parametrize("first17", ["3301061990010112", "330106199001011234"])
def test_a_check_character_is_computed_from_exactly_seventeen(first17):
    with pytest.raises(ValueError):
        resident_id_check_character(first17)
    with pytest.raises(ValueError):
        uscc_check_character(first17)


# --- the production checks against the tests' own oracle -----------------------------------------


@given(st.text(alphabet=USCC_CHARACTERS, min_size=17, max_size=17))
def test_the_uscc_check_agrees_with_the_oracle_everywhere(first17):
    assert uscc_check_character(first17) == uscc_check(first17)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_the_resident_id_check_agrees_with_the_oracle_everywhere(first17):
    assert resident_id_check_character(first17) == resident_id_check(first17)
