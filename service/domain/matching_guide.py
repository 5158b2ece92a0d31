"""Who can serve what, and what each hard filter of matching removes: the contract's and the
README's tables, written from the rules matching applies (`PROVIDERS_FOR`, `UNITS_FOR`, the
filters), so that the documentation cannot drift from them (tests/domain/test_matching_guide.py).

`python -m service.domain.matching_guide` prints the README's section.
"""

from __future__ import annotations

from service.domain.matching import Filter
from service.domain.offerings import ServiceCategory
from service.domain.requests import PROVIDERS_FOR, UNITS_FOR, ProviderType

# The kind of charity resource that meets a category (charity resources meet no other).
CHARITY_KIND_FOR: dict[ServiceCategory, str] = {
    ServiceCategory.FUNDS: "funds",
    ServiceCategory.GOODS: "goods",
    ServiceCategory.VENUE: "venue",
}
# What a university must offer to meet a category (any one of them).
UNIVERSITY_OFFERS_FOR: dict[ServiceCategory, tuple[str, ...]] = {
    ServiceCategory.UNIVERSITY_SUPPORT: ("practice_base", "internship", "research"),
    ServiceCategory.SUPERVISION: ("supervision",),
    ServiceCategory.TRAINING: ("training",),
}
# Categories in which an organisation must be a social work agency (the qualification filter).
AGENCY_ONLY = frozenset({ServiceCategory.PROFESSIONAL_SERVICE, ServiceCategory.SUPERVISION})

# Providers in the order they are listed.
ORDER = (
    ProviderType.VOLUNTEER,
    ProviderType.VOLUNTEER_TEAM,
    ProviderType.SOCIAL_WORKER,
    ProviderType.ORGANISATION,
    ProviderType.CHARITY_RESOURCE,
    ProviderType.UNIVERSITY,
)

FILTER_MEANINGS: dict[Filter, str] = {
    Filter.KIND: "cannot serve the request's category at all (the table of who serves what)",
    Filter.ACTIVE: "could serve it, but is not active (`inactive` or `withdrawn`)",
    Filter.AREA: "active, but its service area covers neither the request's division nor a"
    " division it lies in, and it is not within `LINKAGE_MATCH_RADIUS_KM` (3 km) of the"
    " request's location by great-circle distance (haversine, WGS 84: the candidate's"
    " `distance_km`, which the `distance` component scores too)",
    Filter.AVAILABILITY: "not available for the whole window: a volunteer's or social worker's"
    " weekly slots (joined where they meet) do not cover every minute of it on each Hangzhou"
    " day it spans, cut at midnight – unless a date exception makes that day available; one"
    " making it unavailable excludes it. A social worker who states no availability serves any"
    " time; a charity resource must be valid on the window's Hangzhou dates; other providers"
    " always pass",
    Filter.CAPACITY: "nothing left to give in the request's unit (a person gives one person or"
    " session, or their weekly hours; a team its people; an organisation its stated capacity in"
    " that unit; a charity resource what remains), counting its live offers – in overlapping"
    " windows for people and places (a person held in one has nothing left), whatever the"
    " window for funds and goods – or it already holds a live offer for the request",
    Filter.QUALIFICATION: "professional service and supervision only: an organisation that is"
    " not a social work agency, a social worker without a certificate (supervision: without a"
    " supervisor level)",
    Filter.SKILLS: "lacks one of the request's `required_skills` (registries that record"
    " skills: volunteers, teams, organisations, social workers); `preferred_skills` remove"
    " nobody, they only weigh in `skill_coverage`",
}


def who_serves(category: ServiceCategory, provider: ProviderType) -> str:
    """The providers of one type that meet a category, in words."""
    match provider:
        case ProviderType.VOLUNTEER:
            return "volunteers"
        case ProviderType.VOLUNTEER_TEAM:
            return "volunteer teams"
        case ProviderType.SOCIAL_WORKER if category is ServiceCategory.SUPERVISION:
            return "social workers with a supervisor level"
        case ProviderType.SOCIAL_WORKER:
            return "certified social workers"
        case ProviderType.ORGANISATION if category in AGENCY_ONLY:
            return f"social work agencies listing `{category.value}`"
        case ProviderType.ORGANISATION:
            return f"organisations listing `{category.value}`"
        case ProviderType.CHARITY_RESOURCE:
            return f"charity resources of kind `{CHARITY_KIND_FOR[category]}`"
        case ProviderType.UNIVERSITY:
            offers = " or ".join(f"`{offer}`" for offer in UNIVERSITY_OFFERS_FOR[category])
            return f"universities offering {offers}"
    raise ValueError(provider)  # pragma: no cover - every provider type is matched above


def category_table() -> str:
    """Markdown: each request category, who can serve it and the units it is counted in."""
    rows = [
        "| category | who can serve it (`provider_type`) | units |",
        "|---|---|---|",
    ]
    for category in ServiceCategory:
        providers = [p for p in ORDER if p in PROVIDERS_FOR[category]]
        served = "; ".join(f"{who_serves(category, p)} (`{p.value}`)" for p in providers)
        units = ", ".join(f"`{unit.value}`" for unit in sorted(UNITS_FOR[category]))
        rows.append(f"| `{category.value}` ({category.label_zh}) | {served} | {units} |")
    return "\n".join(rows)


def filter_table() -> str:
    """Markdown: the hard filters in the order applied, and what a provider each removes is."""
    rows = ["| `filter` | a provider it removed … |", "|---|---|"]
    rows += [f"| `{name.value}` | {FILTER_MEANINGS[name]} |" for name in Filter]
    return "\n".join(rows)


def guide() -> str:
    """The README's section: both tables."""
    return (
        "Who can serve which category (the `kind` filter; a provider must also pass the others):"
        f"\n\n{category_table()}\n\n"
        "The hard filters, in the order applied; `removed` counts, per provider type, those each"
        " one took out of what the filters before it left:"
        f"\n\n{filter_table()}\n"
    )


if __name__ == "__main__":  # pragma: no cover
    print(guide(), end="")
