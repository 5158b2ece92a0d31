"""Content negotiation for the reports: JSON, CSV or .xlsx, chosen from the Accept header."""

from __future__ import annotations

from enum import StrEnum

from service.http.problems import ProblemError

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Format(StrEnum):
    """What a report can be had as, in the order offered when the client does not mind."""

    JSON = "application/json"
    CSV = "text/csv"
    XLSX = XLSX_MEDIA_TYPE


def _ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values (malformed q: 0)."""
    ranges = []
    for part in accept.split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


def _quality(offered: Format, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """The q the most specific matching range gives a format, and how early that range came."""
    kind, subtype = offered.value.split("/")
    best: tuple[int, float, int] | None = None
    for position, (media, quality) in enumerate(ranges):
        their_kind, _, their_subtype = media.partition("/")
        if media == offered.value:
            specificity = 2
        elif their_kind == kind and their_subtype == "*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, quality, position)
    return (0.0, 0) if best is None else (best[1], -best[2])


def negotiated(accept: str | None) -> Format:
    """The format to answer in: the one the client rates highest (ties: the one it named
    first; no Accept: JSON); 406 when it accepts none of them."""
    if accept is None or not accept.strip():
        return Format.JSON
    ranges = _ranges(accept)
    scored = [(_quality(offered, ranges), offered) for offered in Format]
    (quality, _), chosen = max(scored, key=lambda entry: entry[0])
    if quality <= 0:
        raise ProblemError(
            406,
            "not_acceptable",
            "this report is offered as application/json, text/csv or"
            f" {XLSX_MEDIA_TYPE}; the Accept header allows none of them",
        )
    return chosen
