"""Every public path of the catalogue is one the gateway forwards to it."""

from __future__ import annotations

from motcua_gateway.routes import RouteTable, UpstreamName
from procedure_catalog.config import CatalogSettings
from procedure_catalog.main import create_app


def test_the_gateway_routes_every_catalogue_path_to_the_catalogue() -> None:
    app = create_app(CatalogSettings(_env_file=None, database={"url": "sqlite:///:memory:"}))
    table = RouteTable()
    paths = list(app.openapi()["paths"])
    assert {"/api/v1/agencies", "/api/v1/authority-levels", "/api/v1/fields", "/api/v1/announcements"} <= set(paths)
    for path in paths:
        entry = table.match(path)
        assert entry is not None, path
        assert entry.upstream is UpstreamName.CATALOG, path
