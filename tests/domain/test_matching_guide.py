"""The tables of who serves what and of the hard filters, as the README and the contract show
them, are the rules matching applies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.db.repositories.candidates import CHARITY_KINDS, SOURCES, UNIVERSITY_OFFERS
from service.domain.matching import Filter
from service.domain.matching_guide import (
    CHARITY_KIND_FOR,
    FILTER_MEANINGS,
    UNIVERSITY_OFFERS_FOR,
    category_table,
    filter_table,
    guide,
    who_serves,
)
from service.domain.offerings import ServiceCategory
from service.domain.requests import PROVIDERS_FOR, UNITS_FOR, ProviderType

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = re.compile(r"<!-- matching-guide:[^\n]*-->\n(.*?)<!-- /matching-guide -->", re.DOTALL)


def rows(table: str) -> dict[str, list[str]]:
    """A markdown table's body rows by their first cell (backticks and labels dropped)."""
    found = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        found[cells[0].split("`")[1]] = cells[1:]
    return found


def test_the_readme_shows_the_guide_as_the_code_writes_it():
    match = SECTION.search(README.read_text(encoding="utf-8"))
    assert match, "README has the matching guide between its markers"
    assert match.group(1) == guide(), "run python -m service.domain.matching_guide"


@pytest.mark.parametrize("category", list(ServiceCategory))
def test_each_category_lists_exactly_the_providers_that_serve_it(category):
    served, units = rows(category_table())[category.value]

    named = set(re.findall(r"\(`([a-z_]+)`\)", served))
    assert named == {p.value for p in PROVIDERS_FOR[category]}
    assert set(re.findall(r"`([a-z_]+)`", units)) == {u.value for u in UNITS_FOR[category]}


def test_the_kinds_of_charity_resources_and_university_offers_are_those_matching_uses():
    assert CHARITY_KIND_FOR == {ServiceCategory(c): kind for c, kind in CHARITY_KINDS.items()}
    assert UNIVERSITY_OFFERS_FOR == {
        ServiceCategory(c): tuple(o) for c, o in UNIVERSITY_OFFERS.items()
    }
    assert set(SOURCES) == set(ProviderType)


def test_professional_service_is_met_by_social_workers_and_agencies_not_universities():
    served = rows(category_table())["professional_service"][0]
    assert "certified social workers (`social_worker`)" in served
    assert "social work agencies listing `professional_service` (`organisation`)" in served
    assert "university" not in served
    assert rows(category_table())["university_support"][0].endswith("(`university`)")


def test_every_filter_is_explained_in_the_order_applied():
    assert set(FILTER_MEANINGS) == set(Filter)
    assert list(rows(filter_table())) == [name.value for name in Filter]
    for name, (meaning,) in rows(filter_table()).items():
        assert meaning == FILTER_MEANINGS[Filter(name)]


def test_the_contract_carries_both_tables():
    from service.schemas.matching import CandidateList, FilterRemoval
    from service.schemas.resource_requests import ResourceRequestCreate

    category = ResourceRequestCreate.model_fields["category"].description or ""
    assert category_table() in category
    assert filter_table() in (FilterRemoval.model_fields["filter"].description or "")
    assert category_table() in (CandidateList.model_fields["removed"].description or "")


def test_a_provider_type_that_cannot_serve_a_category_has_no_wording_for_it():
    with pytest.raises(KeyError):
        who_serves(ServiceCategory.FUNDS, ProviderType.UNIVERSITY)
