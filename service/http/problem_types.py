"""Every problem `code` the API answers with: its status, what it means, and the policy rule.

A problem's `code` is stable and part of the contract; so are the `errors[].code` of the fields
at fault, which become the problem's own code when every field shares one. The catalogue is
served at `GET /v1/problem-types`, enumerated in the OpenAPI `Problem.code`, and held to the
source by a test: a code raised anywhere must be here, and every code here must be raised.
"""

from __future__ import annotations

from dataclasses import dataclass

PROBLEM_TYPE_BASE = "https://linkage.hangzhou.gov.cn/problems/"


@dataclass(frozen=True, slots=True)
class ProblemType:
    """One problem code."""

    code: str
    statuses: tuple[int, ...]
    title: str
    rule: str | None = None
    field: bool = False  # also (or only) the code of a field at fault, in `errors[].code`

    @property
    def type(self) -> str:
        """The problem's `type` URI."""
        return PROBLEM_TYPE_BASE + self.code


def _p(code: str, status: int, title: str, rule: str | None = None) -> ProblemType:
    return ProblemType(code, (status,), title, rule)


def _f(
    code: str, title: str, rule: str | None = None, statuses: tuple[int, ...] = (422,)
) -> ProblemType:
    return ProblemType(code, statuses, title, rule, field=True)


CATALOGUE: tuple[ProblemType, ...] = (
    # --- The request as HTTP ---------------------------------------------------------------
    _p("bad_request", 400, "The request is malformed."),
    _p("malformed_json", 400, "The body is not valid JSON."),
    _p("invalid_parameter", 400, "A query, path or header parameter is invalid (see errors)."),
    _p("unknown_query_parameter", 400, "A query parameter the operation does not take."),
    _p("invalid_page_token", 400, "page_token was not issued for this collection or is forged."),
    _p("page_token_filter_mismatch", 400, "page_token was issued for other filters."),
    _p("invalid_if_match", 400, "If-Match is not a list of entity tags."),
    _p("invalid_access_purpose", 400, "X-Access-Purpose is missing, too short or not text."),
    _p("unauthenticated", 401, "No API key was sent."),
    _p("invalid_api_key", 401, "The API key is unknown or revoked."),
    _p("insufficient_scope", 403, "The API key lacks the scope the operation needs."),
    _p("outside_station_binding", 403, "The client is bound to a station that may not do this."),
    _p(
        "outside_organisation_binding",
        403,
        "The client is bound to an organisation that may not do this.",
    ),
    _p("forbidden", 403, "The caller may not do this."),
    _p("not_found", 404, "No such resource, or not visible to this client."),
    _p("method_not_allowed", 405, "The method is not allowed here (see Allow)."),
    _p("not_acceptable", 406, "No representation matches Accept."),
    _p("version_mismatch", 412, "If-Match does not match the current version."),
    _p("content_too_large", 413, "The body is larger than the service accepts."),
    _p("unsupported_media_type", 415, "Send the body as application/json."),
    _p("validation_failed", 422, "The body does not match the schema (see errors)."),
    _p("precondition_required", 428, "Send If-Match with the ETag of the version you change."),
    _p("rate_limited", 429, "Too many requests under a quota; wait Retry-After seconds."),
    _p("internal_error", 500, "An unexpected fault; quote the request id."),
    _p("database_unavailable", 503, "The database did not answer in time; retry after a while."),
    # --- Clients and keys -----------------------------------------------------------------
    _p("idempotency_key_reused", 422, "The Idempotency-Key was used with another request."),
    _p("idempotency_key_in_use", 409, "A request with this Idempotency-Key is still running."),
    _p("separation_of_duties", 422, "One client may not hold these scopes together."),
    _p("two_bindings", 422, "A client acts for one station or one organisation, not both."),
    # --- Any rule ---------------------------------------------------------------------------
    _p("rule_violation", 422, "Well-formed input that the policy's rules forbid (see errors)."),
    _p("conflict", 409, "The request collides with the current state."),
    _p("constraint_violated", 422, "The change breaks a data constraint."),
    _p("illegal_status_transition", 409, "The status cannot move from its current value to this."),
    _p("illegal_transition", 409, "The request's status cannot move to this."),
    _p("demo_data_loaded", 409, "The demo sample is loaded already (`linkage demo`)."),
    _p("demo_data_in_use", 409, "Other records refer to the demo's: it cannot be removed."),
    # --- Stations and offices ---------------------------------------------------------------
    _p("station_exists", 409, "The township has a station already.", "R2"),
    _p("office_exists", 409, "The community has an office already."),
    _f("invalid_cursor", "`after` is not a cursor of the change feed."),
    _f("unknown_event_type", "`type` names no event type of the catalogue (GET /v1/event-types)."),
    _f(
        "unsafe_webhook_url",
        "A webhook URL that is not https, or whose host resolves to a"
        " private, loopback, link-local or metadata address.",
    ),
    _f("station_name_not_official", "The name is not the station's official R1 name.", "R1"),
    _f("township_not_eligible", "Non-township units (codes 400–599) have no station.", "R2"),
    _f("township_has_no_station", "The community's township has no station yet.", "R5"),
    _f(
        "administrative_affairs_not_service",
        "Township administrative affairs may not be a service item.",
        "R8",
    ),
    _f("demonstration_needs_operation", "Only an operating station is a demonstration.", "R14"),
    _f("demonstration_year_required", "A demonstration station names its year.", "R14"),
    _f("demonstration_year_out_of_range", "The demonstration year is outside 2021–now.", "R14"),
    _f("demonstration_year_without_demonstration", "A year without the demonstration flag."),
    _f("location_outside_hangzhou", "The point is outside Hangzhou."),
    _f("unknown_division", "No Hangzhou division has this code."),
    _f("unknown_district", "The code is not a district of Hangzhou."),
    _f("unknown_station", "No station has this id."),
    _f("unknown_office", "No office has this id."),
    _f("office_of_another_station", "The office belongs to another station."),
    # --- Bulk upsert ------------------------------------------------------------------------
    _p("bulk_unsupported_media_type", 415, "Send bulk lines as application/x-ndjson or text/csv."),
    _p("bulk_not_utf8", 415, "The bulk body is not UTF-8 (GB18030/GBK is named, not converted)."),
    _p("bulk_not_framed", 422, "Not NDJSON objects, or a CSV without an external_id column."),
    _f("bulk_line_not_json", "A bulk NDJSON line is not a JSON object (in a job's report)."),
    _f("bulk_line_not_csv", "A bulk CSV row does not parse or has the wrong number of cells."),
    _f("bulk_external_id_missing", "A bulk line has no external_id (1 to 128 characters)."),
    _f("bulk_duplicate_external_id", "A bulk line repeats an earlier line's external_id."),
    _f("invalid_field", "A bulk line's field does not match the schema (in a job's report)."),
    _p("community_immutable", 409, "The community of a registered office does not change."),
    _p("township_immutable", 409, "The township of a registered station does not change."),
    _f("uscc_immutable", "The USCC of a registered organisation does not change."),
    # --- Partners ---------------------------------------------------------------------------
    _p("organisation_exists", 409, "An organisation with this USCC is registered already."),
    _p("university_exists", 409, "A university with this USCC is registered already."),
    _p("social_worker_exists", 409, "A social worker with this ID number is registered already."),
    _p("volunteer_exists", 409, "A volunteer with this ID number is registered already."),
    _p("team_has_leader", 409, "The team has a leader already."),
    _p("already_a_member", 409, "The volunteer is in the team already."),
    _p("volunteer_not_found", 404, "No volunteer has this id."),
    _f("not_a_member", "The volunteer is not a member of the team.", statuses=(404, 422)),
    _f("invalid_uscc", "Not a valid Unified Social Credit Code (GB 32100)."),
    _f("invalid_id_number", "Not a valid resident ID number (GB 11643)."),
    _f("invalid_resident_id", "Not a valid resident ID number (GB 11643)."),
    _f("certificate_number_required", "A certified social worker has a certificate number."),
    _f("certificate_number_not_allowed", "An uncertified social worker has no certificate."),
    _f("unknown_organisation", "No organisation has this id."),
    _f("remaining_exceeds_total", "More would remain than there is in all."),
    _f("unit_not_for_kind", "This unit does not count this kind of resource."),
    _f("windows_overlap", "Two weekly slots overlap."),
    _f("duplicate_exception", "Two exceptions for one date."),
    _f("window_ends_before_start", "It ends before it starts."),
    _f(
        "availability_required",
        "An active volunteer needs a weekly slot or an available date: without, never matched.",
    ),
    # --- Linkages ---------------------------------------------------------------------------
    _p("linkage_overlaps", 409, "A linkage of this kind between these ends covers those days."),
    _p("operating_contract_exists", 409, "The station has an active operating contract.", "R9"),
    _f("unknown_partner", "No partner of this type has this id."),
    _f("partner_type_not_allowed", "This kind of linkage is not made with this partner type."),
    _f("partner_withdrawn", "The partner is not active."),
    _f("pairing_with_itself", "A station is not paired with itself.", "R16"),
    _f("not_a_social_work_agency", "Operating contracts are with social work agencies.", "R9"),
    _f("station_not_purchased_service", "The station is not run as a purchased service.", "R9"),
    _f("not_a_supervisor", "Supervision needs a supervisor or a supervising partner.", "R10"),
    # --- Requests, matching and offers -----------------------------------------------------
    _p("request_not_open", 409, "The request takes no offers any more."),
    _p("request_not_editable", 409, "The request cannot be changed in its status."),
    _p("request_fully_committed", 409, "The request is committed in full already."),
    _p("quantity_below_commitment", 409, "The quantity would fall below what is committed."),
    _p("window_locked", 409, "The window cannot move while offers hold providers for it."),
    _p("no_candidates", 409, "No provider passes every hard filter."),
    _p("already_offered", 409, "The provider holds a live offer for the request already."),
    _p("expiry_in_past", 422, "The offers would expire at once."),
    _p("offer_expired", 409, "The proposal's hold has run out."),
    _p("offer_lapsed", 409, "The proposal lapsed when its request stopped taking offers."),
    _p("offer_not_completed", 409, "Only a completed offer is rated."),
    _p("already_rated", 409, "The offer has been rated already."),
    _p("service_not_started", 409, "The service window has not begun: complete it afterwards."),
    _p("provider_double_booked", 409, "The provider is booked in an overlapping window."),
    _p("provider_capacity_exhausted", 409, "The provider has nothing left for this window."),
    _p("resource_exhausted", 409, "The charity resource has not enough left."),
    _p("provider_inactive", 409, "The provider is not active."),
    _p("not_the_responder", 403, "Only the provider's organisation, or the station, answers."),
    _p("station_only", 403, "Only the offering station withdraws, completes or rates."),
    _p("allocation_run_applied", 409, "The allocation run has been applied already."),
    _p("allocation_run_not_succeeded", 409, "Only a succeeded allocation run is applied."),
    _p("export_too_large", 422, "Too many rows match; narrow the filters."),
    _f("unit_not_allowed", "The category is not counted in this unit."),
    _f("division_outside_station", "The place is outside the station's township."),
    _f("window_in_past", "The window has ended already."),
    _f("window_too_long", "The window is longer than a request may run."),
    _f("range_reversed", "The range ends before it starts.", statuses=(400,)),
    _f("providers_or_top", "Send either providers or top, not both or neither."),
    _f("duplicate_provider", "A provider is named twice."),
    _f("provider_not_eligible", "The provider fails a hard filter of matching."),
    _f("quantity_exceeds_capacity", "More than the provider has left."),
    _f("actual_exceeds_offer", "More was delivered than offered."),
    _f("hours_required", "A volunteer's offer is completed with volunteer_hours."),
    _f("member_hours_required", "A team's offer is completed with member_hours."),
    _f("hours_mismatch", "volunteer_hours is not the sum of member_hours."),
    _f("hours_exceed_window", "More hours than the window holds."),
    _f("duplicate_member", "A member's hours are listed twice."),
    _f("not_a_team", "member_hours are for a volunteer team's offer."),
    _f("service_date_ahead", "The service date is in the future."),
    _f("service_date_outside_window", "The service date is outside the window."),
    # --- Supervision, training and evaluations (R10, R11, R17) -------------------------------
    _p("training_record_exists", 409, "The worker's record of this course exists already.", "R11"),
    _p("evaluation_exists", 409, "The station has an evaluation of this period already.", "R17"),
    _f("date_in_future", "The day lies in the future.", statuses=(400, 422)),
    _f("unknown_social_worker", "No social worker has this id."),
    _f("unknown_provider", "No organisation or university of this type has this id."),
    _f("unknown_supervisor", "No supervisor of this type has this id.", "R10"),
    _f("no_supervision_linkage", "The station has no active supervision linkage with it.", "R10"),
    _f("individual_needs_one_attendee", "Individual supervision has exactly one attendee.", "R10"),
    _f("supervisor_attends", "The supervisor does not attend their own session.", "R10"),
    _f("duplicate_attendee", "A social worker is listed twice."),
)

BY_CODE: dict[str, ProblemType] = {problem.code: problem for problem in CATALOGUE}
