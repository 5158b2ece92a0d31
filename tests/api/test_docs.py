"""The API docs load from the service alone: no CDN, no other origin, on an offline intranet."""

from __future__ import annotations

import re

import pytest

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\s*:\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_pages_reference_only_the_service_itself(anonymous, page):
    response = await anonymous.get(page)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    references = [a or b for a, b in REFERENCE.findall(html)]
    assert references, "the page loads its scripts and styles from somewhere"
    assert all(ref.startswith("/") and not ref.startswith("//") for ref in references), references
    assert "http://" not in html and "https://" not in html
    for reference in references:
        asset = await anonymous.head(reference)  # the megabytes of script need not be read
        assert asset.status_code == 200, reference
        assert int(asset.headers["content-length"]) > 0


async def test_swagger_ui_asks_no_outside_validator(anonymous):
    html = (await anonymous.get("/docs")).text
    assert '"validatorUrl": null' in html
