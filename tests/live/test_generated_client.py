"""A Python client generated from the committed contract (openapi-python-client, as an
integrator would) walks a request from the station to hours in the ledger against a real
server: the contract is complete enough to be used without reading the code."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from service.domain.access import Scope
from service.usecases.clients import create_client
from tests.factories.partners import organisation_body
from tests.factories.registry import BEISHAN, station_body
from tests.factories.volunteers import volunteer_body

CONTRACT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
PACKAGE = "five_society_linkage_api_client"  # from the contract's ASCII title
HANGZHOU = timezone(timedelta(hours=8))
EVERY_DAY = {
    "weekly": [{"weekday": day, "start": "00:00", "end": "23:59"} for day in range(1, 8)],
    "exceptions": [],
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package generated from the committed contract, importable."""
    where = tmp_path_factory.mktemp("generated")
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(
        [str(bin_dir / "openapi-python-client"), "generate", "--path", str(CONTRACT)]
        + ["--meta", "setup"],
        cwd=where,
        env=os.environ | {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    # The one operation a JSON client cannot have: bulk loads post NDJSON or CSV files.
    skipped = re.findall(r"WARNING parsing (\S+ \S+) within", output)
    assert skipped == ["POST /v1/bulk/{resource}"], output
    leftover = re.sub(r"Unsupported content type (application/x-ndjson|text/csv)", "", output)
    assert "Unsupported" not in leftover and leftover.count("WARNING") == 1, output
    projects = [path for path in where.iterdir() if path.is_dir()]
    assert [path.name for path in projects] == ["five-society-linkage-api-client"]
    assert (projects[0] / PACKAGE / "__init__.py").exists()
    sys.path.insert(0, str(projects[0]))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(projects[0]))
        for name in [name for name in sys.modules if name.startswith(PACKAGE)]:
            del sys.modules[name]


def begun_window() -> dict[str, str]:
    """A window that began ten minutes ago (or at midnight) and ends inside today in Hangzhou."""
    now = datetime.now(HANGZHOU)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = min(max(now - timedelta(minutes=10), day), day + timedelta(hours=22))
    ends = max(starts + timedelta(hours=1, minutes=59), now + timedelta(minutes=2))
    return {"starts_at": starts.isoformat(), "ends_at": ends.isoformat()}


def ok(response: Any, status: int) -> Any:
    """The parsed body of a response with the expected status."""
    assert response.status_code == status, response.content
    return response.parsed


async def test_a_generated_client_walks_a_request_to_hours_in_the_ledger(
    generated, live_server, services
):
    from five_society_linkage_api_client.api.linkages import create_linkage  # type: ignore
    from five_society_linkage_api_client.api.matching import list_candidates  # type: ignore
    from five_society_linkage_api_client.api.offers import (  # type: ignore
        accept_offer,
        complete_offer,
        create_offers,
        list_service_records,
        rate_offer,
    )
    from five_society_linkage_api_client.api.organisations import (  # type: ignore
        create_organisation,
    )
    from five_society_linkage_api_client.api.resource_requests import (  # type: ignore
        create_resource_request,
        get_resource_request,
    )
    from five_society_linkage_api_client.api.stations import create_station  # type: ignore
    from five_society_linkage_api_client.api.volunteers import create_volunteer  # type: ignore
    from five_society_linkage_api_client.models import (  # type: ignore
        LinkageCreate,
        OfferBatchCreate,
        OfferCompletion,
        OfferRating,
        OrganisationCreate,
        ResourceRequestCreate,
        StationCreate,
        VolunteerCreate,
    )

    admin = await create_client(services, name="generated-client", scopes=[Scope.ADMIN])
    api = generated.AuthenticatedClient(base_url=live_server, token=admin.api_key, timeout=30.0)
    async with api as client:
        station = ok(
            await create_station.asyncio_detailed(
                client=client,
                body=StationCreate.from_dict(station_body(BEISHAN)),
                idempotency_key="generated-station",
            ),
            201,
        )
        assert station.name == "杭州市西湖区北山街道社会工作站"
        agency = ok(
            await create_organisation.asyncio_detailed(
                client=client,
                body=OrganisationCreate.from_dict(
                    organisation_body(
                        kind="social_work_agency",
                        is_social_work_agency=True,
                        service_categories=["professional_service"],
                    )
                ),
            ),
            201,
        )
        ok(
            await create_linkage.asyncio_detailed(
                client=client,
                body=LinkageCreate.from_dict(
                    {
                        "station_id": str(station.id),
                        "partner_type": "organisation",
                        "partner_id": str(agency.id),
                        "kind": "operating_contract",
                        "starts_on": "2026-01-01",
                        "ends_on": "2028-12-31",
                    }
                ),
            ),
            201,
        )
        volunteers = [
            ok(
                await create_volunteer.asyncio_detailed(
                    client=client,
                    body=VolunteerCreate.from_dict(
                        volunteer_body(name=name, availability=EVERY_DAY, skills=["home_visits"])
                    ),
                ),
                201,
            )
            for name in ("李晓梅", "周建国")
        ]
        request = ok(
            await create_resource_request.asyncio_detailed(
                client=client,
                body=ResourceRequestCreate.from_dict(
                    {
                        "station_id": str(station.id),
                        "title": "独居老人上门探访",
                        "category": "volunteer_service",
                        "required_skills": ["home_visits"],
                        "quantity": 1,
                        "unit": "people",
                        "division_code": "330106002051",
                        "location": {"lat": 30.2634, "lon": 120.1371},
                        "window": begun_window(),
                    }
                ),
            ),
            201,
        )
        found = ok(await list_candidates.asyncio_detailed(request.id, client=client, limit=5), 200)
        assert {c.provider_id for c in found.candidates} == {v.id for v in volunteers}
        assert all(c.components and 0 < c.score <= 1 for c in found.candidates)

        offers = ok(
            await create_offers.asyncio_detailed(
                request.id, client=client, body=OfferBatchCreate.from_dict({"top": 1})
            ),
            201,
        )
        offer = offers.items[0]
        assert offer.provider_id == found.candidates[0].provider_id
        assert (
            ok(await accept_offer.asyncio_detailed(offer.id, client=client), 200).status
            == "accepted"
        )
        completed = ok(
            await complete_offer.asyncio_detailed(
                offer.id,
                client=client,
                body=OfferCompletion.from_dict(
                    {"actual_quantity": 1, "volunteer_hours": 1.5, "outcome_note": "探访三户"}
                ),
            ),
            200,
        )
        assert completed.status == "completed"
        rated = ok(
            await rate_offer.asyncio_detailed(
                offer.id, client=client, body=OfferRating.from_dict({"rating": 5})
            ),
            200,
        )
        assert rated.rating == 5
        ledger = ok(
            await list_service_records.asyncio_detailed(offer.provider_id, client=client), 200
        )
        assert [(r.offer_id, r.hours) for r in ledger.items] == [(offer.id, 1.5)]
        fulfilled = ok(await get_resource_request.asyncio_detailed(request.id, client=client), 200)
        assert fulfilled.status == "fulfilled"


def test_the_generated_client_reads_a_problem_as_a_problem(generated, live_server):
    from five_society_linkage_api_client.api.stations import list_stations  # type: ignore
    from five_society_linkage_api_client.models import Problem  # type: ignore

    client = generated.AuthenticatedClient(base_url=live_server, token="lk_unknown", timeout=30.0)
    with client:
        refused = list_stations.sync_detailed(client=client)
    assert refused.status_code == 401
    assert isinstance(refused.parsed, Problem)
    assert (refused.parsed.code, refused.parsed.status) == ("invalid_api_key", 401)
