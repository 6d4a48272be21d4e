"""The OpenAPI document is valid and complete; the docs page loads with local assets only."""
from __future__ import annotations

import re
from pathlib import Path

from openapi_spec_validator import validate

from tests.api.conftest import API

EXPECTED = {
    "/auth/register": {"post"}, "/auth/tokens": {"post"}, "/auth/tokens/{token_id}": {"delete"}, "/me": {"get"},
    "/orgs/{org_id}": {"get"}, "/orgs/{org_id}/verification": {"post"},
    "/admin/verifications": {"get"}, "/admin/verifications/{org_id}": {"post"},
    "/admin/moderation": {"get"}, "/admin/moderation/bulk": {"post"}, "/admin/audit": {"get"},
    "/patents/{patent_id}/attachments": {"get", "post"}, "/attachments/{attachment_id}/download": {"get"},
    "/attachments/{attachment_id}": {"delete"},
    **{f"/{r}": {"get", "post"} for r in ("patents", "demands", "services")},
    **{f"/{r}/{{listing_id}}": {"get", "patch", "delete"} for r in ("patents", "demands", "services")},
    **{f"/{r}/{{listing_id}}/{a}": {"post"} for r in ("patents", "demands", "services") for a in ("submit", "withdraw")},
}


def test_openapi_document_is_valid_and_lists_every_endpoint(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)  # raises on an invalid OpenAPI 3 document
    paths = spec["paths"]
    for path, methods in EXPECTED.items():
        assert methods <= set(paths[API + path]), path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    body = paths[f"{API}/patents"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Patent"}
    upload = paths[f"{API}/patents/{{patent_id}}/attachments"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    listed = paths[f"{API}/patents"]["get"]
    assert {"page", "per_page", "status", "org"} <= {p["name"] for p in listed["parameters"]}
    assert "X-Total-Count" in listed["responses"]["200"]["headers"]


def test_docs_page_uses_only_local_assets(client, app):
    page = client.get(f"{API}/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"{API}/openapi.json" in html
    assert '"validatorUrl": null' in html.replace("&#34;", '"')  # no call to the online validator badge
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    # Swagger UI's three vendored files and our initializer (a file: the CSP refuses inline scripts)
    assert len(assets) == 4 and all(url.startswith("/static/apidocs/") for url in assets)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.data) > (500 if "initializer" in url else 10000), url
        asset.close()
    assert (Path(app.static_folder) / "apidocs" / "LICENSE").exists()
