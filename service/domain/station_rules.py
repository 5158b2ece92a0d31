"""The station rules of 杭民发〔2021〕126号, one function each: R1, R2 whatever the station's
stage; R3–R11, R16 and R18 once it runs. Each reads `StationFacts` and gives a `Finding`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from service.domain.compliance import (
    HOUSED_SERVICES,
    REQUIRED_ROOMS,
    REQUIRED_SYSTEMS,
    RUNNING,
    Finding,
    Judgement,
    Rule,
    StationFacts,
    Verdict,
    verdict_of,
)
from service.domain.divisions import CITY_NAME
from service.domain.linkages import FULL_TIME_CERTIFIED_MINIMUM
from service.domain.supervision import (
    Window,
    quarter_before,
    short_of_training,
    term_advice,
    training_threshold,
    training_year_before,
)
from service.domain.vocabulary import (
    Facility,
    Labelled,
    OperatingMode,
    ServiceItemCategory,
)


def _r1(facts: StationFacts, _: Judgement) -> Finding:
    """R1: the stored name is the official one."""
    official = f"{CITY_NAME}{facts.district_name}{facts.township_name}社会工作站"
    ok = facts.name == official
    return Finding(
        Rule.R1,
        verdict_of(ok),
        "the station bears its official name" if ok else f"the official name is {official}",
        {"name": facts.name, "official_name": official},
    )


def _r2(facts: StationFacts, _: Judgement) -> Finding:
    """R2: the township takes a station, and only this one."""
    ok = facts.township_needs_station and facts.stations_in_township == 1
    if not facts.township_needs_station:
        message = f"{facts.township_name} is not a township that takes a station"
    else:
        message = f"{facts.stations_in_township} station(s) in {facts.township_name}"
    return Finding(
        Rule.R2,
        verdict_of(ok),
        message,
        {
            "township_code": facts.township_code,
            "township_needs_station": facts.township_needs_station,
            "stations_in_township": facts.stations_in_township,
        },
        figure="stations_in_township",
    )


def _r3(facts: StationFacts, _: Judgement) -> Finding:
    """R3: at least three full-time certified social workers."""
    ok = facts.full_time_certified >= FULL_TIME_CERTIFIED_MINIMUM
    return Finding(
        Rule.R3,
        verdict_of(ok),
        f"{facts.full_time_certified} full-time certified social worker(s); at least"
        f" {FULL_TIME_CERTIFIED_MINIMUM} are required",
        {
            "full_time_certified": facts.full_time_certified,
            "certified": facts.certified,
            "social_workers": facts.social_workers,
            "minimum": FULL_TIME_CERTIFIED_MINIMUM,
        },
        figure="full_time_certified",
    )


def _r4(facts: StationFacts, _: Judgement) -> Finding:
    """R4 (advice): an intermediate or senior social worker."""
    ok = facts.intermediate_or_senior >= 1
    return Finding(
        Rule.R4,
        verdict_of(ok, Verdict.ADVISORY),
        f"{facts.intermediate_or_senior} intermediate or senior social worker(s)"
        + ("" if ok else "; a station with the conditions has at least one"),
        {"intermediate_or_senior": facts.intermediate_or_senior},
        figure="intermediate_or_senior",
    )


def _missing(required: Iterable[Labelled], present: Iterable[Labelled]) -> list[str]:
    """The required terms not present, in the vocabulary's order."""
    held = set(present)
    return [term.value for term in required if term not in held]


def _r6(facts: StationFacts, _: Judgement) -> Finding:
    """R6: the four rooms."""
    missing = _missing(REQUIRED_ROOMS, facts.facilities)
    return Finding(
        Rule.R6,
        verdict_of(not missing),
        "all four rooms are set up" if not missing else f"missing: {', '.join(missing)}",
        {"missing": missing, "missing_count": len(missing)},
        figure="missing_count",
    )


def _r7(facts: StationFacts, _: Judgement) -> Finding:
    """R7: the five management systems."""
    missing = _missing(REQUIRED_SYSTEMS, facts.management_systems)
    return Finding(
        Rule.R7,
        verdict_of(not missing),
        "all five management systems are in place"
        if not missing
        else f"missing: {', '.join(missing)}",
        {"missing": missing, "missing_count": len(missing)},
        figure="missing_count",
    )


def _r8(facts: StationFacts, _: Judgement) -> Finding:
    """R8: a service window and a published service list without administrative affairs."""
    window = Facility.SERVICE_WINDOW in facts.facilities
    administrative = sum(
        1
        for item in facts.service_items
        if item is ServiceItemCategory.TOWNSHIP_ADMINISTRATIVE_AFFAIRS
    )
    listed = len(facts.service_items)
    problems = [
        *([] if window else ["no service window"]),
        *([] if listed else ["no published service list"]),
        *([f"{administrative} administrative item(s) listed"] if administrative else []),
    ]
    # The key figure is what is wrong: the missing window, the empty list, or the items.
    if not window:
        figure = "service_window"
    elif not listed:
        figure = "service_items"
    else:
        figure = "administrative_items"
    return Finding(
        Rule.R8,
        verdict_of(not problems),
        "; ".join(problems) or "a service window and a published service list",
        {
            "service_window": window,
            "service_items": listed,
            "administrative_items": administrative,
        },
        figure=figure,
    )


def _r9(facts: StationFacts, _: Judgement) -> Finding:
    """R9: the operating mode agrees with the operating contracts active on the day."""
    mode, contracts = facts.operating_mode, facts.operating_contracts
    if mode is None:
        ok, message = False, "no operating mode is recorded"
    elif mode is OperatingMode.PURCHASED_SERVICE:
        ok = contracts >= 1
        message = (
            "run by purchased service under an active operating contract"
            if ok
            else "run by purchased service but no operating contract is active"
        )
    else:
        ok = contracts == 0
        message = (
            "run by township posts"
            if ok
            else "run by township posts yet an operating contract is active"
        )
    return Finding(
        Rule.R9,
        verdict_of(ok),
        message,
        {"operating_mode": mode.value if mode else None, "active_operating_contracts": contracts},
        figure="active_operating_contracts",
    )


def _r10(facts: StationFacts, judgement: Judgement) -> Finding:
    """R10: an active supervision linkage, a session in the quarter; the term is advice."""
    quarter = quarter_before(judgement.as_of)
    advice = [note for term in facts.supervision for note in term_advice(term, judgement.as_of)]
    evidence = {
        "supervision_linkages": [term.as_evidence() for term in facts.supervision],
        "sessions_in_quarter": facts.sessions_in_quarter,
        "quarter": _window(quarter),
        "last_session_on": facts.last_session_on.isoformat() if facts.last_session_on else None,
        "tenure_advice": advice,
    }
    failures = [
        *([] if facts.supervision else ["no active supervision linkage"]),
        *(
            []
            if facts.sessions_in_quarter
            else [f"no session recorded from {quarter.first.isoformat()}"]
        ),
    ]
    if failures:
        verdict, message = Verdict.FAIL, "; ".join(failures)
    elif advice:
        verdict, message = Verdict.ADVISORY, "; ".join(note["message"] for note in advice)
    else:
        verdict = Verdict.PASS
        message = f"{facts.sessions_in_quarter} session(s) recorded in the quarter"
    return Finding(Rule.R10, verdict, message, evidence, figure="sessions_in_quarter")


def _window(window: Window) -> dict[str, str]:
    """A window as evidence shows it."""
    return {"from": window.first.isoformat(), "to": window.last.isoformat()}


def _r11(facts: StationFacts, judgement: Judgement) -> Finding:
    """R11: every assessed worker trained their level's hours in the year."""
    year = training_year_before(judgement.as_of)
    assessed, short = [], []
    for worker in facts.training:
        threshold = training_threshold(worker.certificate_level, judgement.thresholds)
        if threshold is None:
            continue
        assessed.append(worker)
        if short_of_training(worker.hours, worker.certificate_level, judgement.thresholds):
            short.append(
                {
                    "social_worker_id": str(worker.social_worker_id),
                    "certificate_level": worker.certificate_level.value,
                    "hours": round(worker.hours, 2),
                    "threshold": threshold,
                }
            )
    evidence = {"assessed": len(assessed), "below": len(short), "year": _window(year)}
    if not assessed:
        return Finding(
            Rule.R11,
            Verdict.NOT_APPLICABLE,
            "no certified social worker to assess",
            evidence,
            figure="below",
        )
    return Finding(
        Rule.R11,
        verdict_of(not short),
        f"{len(short)} of {len(assessed)} certified worker(s) below their yearly training hours",
        evidence | {"below_threshold": short},
        figure="below",
    )


def _r16(facts: StationFacts, _: Judgement) -> Finding:
    """R16 (advice): an active urban–rural pairing."""
    ok = facts.urban_rural_pairings >= 1
    side = "urban" if facts.urban else "rural"
    return Finding(
        Rule.R16,
        verdict_of(ok, Verdict.ADVISORY),
        f"{facts.urban_rural_pairings} active urban–rural pairing(s)"
        + ("" if ok else f"; the policy encourages pairing this {side} station"),
        {"area": side, "urban_rural_pairings": facts.urban_rural_pairings},
        figure="urban_rural_pairings",
    )


def _r18(facts: StationFacts, _: Judgement) -> Finding:
    """R18 (advice, 原则上): the township's civil-affairs services housed in the station."""
    missing = _missing(HOUSED_SERVICES, facts.service_items)
    return Finding(
        Rule.R18,
        verdict_of(not missing, Verdict.ADVISORY),
        "the township's civil-affairs services are housed in the station"
        if not missing
        else f"not housed (in principle they should be): {', '.join(missing)}",
        {"missing": missing, "missing_count": len(missing)},
        figure="missing_count",
    )


StationRuleCheck = Callable[[StationFacts, Judgement], Finding]
# Judged whatever the station's stage: the others only once it runs.
ALWAYS: dict[Rule, StationRuleCheck] = {Rule.R1: _r1, Rule.R2: _r2}
ONCE_RUNNING: dict[Rule, StationRuleCheck] = {
    Rule.R3: _r3,
    Rule.R4: _r4,
    Rule.R6: _r6,
    Rule.R7: _r7,
    Rule.R8: _r8,
    Rule.R9: _r9,
    Rule.R10: _r10,
    Rule.R11: _r11,
    Rule.R16: _r16,
    Rule.R18: _r18,
}
STATION_RULES = (*ALWAYS, *ONCE_RUNNING)


def judge_station(facts: StationFacts, judgement: Judgement) -> list[Finding]:
    """Every station rule's finding, in rule order."""
    findings = [check(facts, judgement) for check in ALWAYS.values()]
    for rule, check in ONCE_RUNNING.items():
        if facts.status in RUNNING:
            findings.append(check(facts, judgement))
        else:
            findings.append(
                Finding(
                    rule,
                    Verdict.NOT_APPLICABLE,
                    f"the station is {facts.status.value}: judged once it runs",
                )
            )
    return findings
