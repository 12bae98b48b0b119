"""procedure-catalog settings (environment prefix ``CATALOG_``)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from motcua_kit.events.settings import EventSettings
from motcua_kit.settings import DatabaseSettings, ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_")
    service_name: ClassVar[str] = "procedure-catalog"

    port: int = 8001
    database: DatabaseSettings = DatabaseSettings(url="sqlite:///./var/procedure-catalog.db")
    extra_languages: Annotated[
        tuple[str, ...],
        Field(
            description=(
                'Content languages offered besides Vietnamese and English (JSON list of tags, e.g. ["fr"]);'
                " texts come from each record's `translations`."
            )
        ),
    ] = ()
    import_max_bytes: Annotated[
        int, Field(ge=1024, description="Largest body accepted by POST /api/v1/procedures/import (413 beyond).")
    ] = 64 * 1024 * 1024
    import_max_records: Annotated[
        int, Field(ge=1, le=100_000, description="Most records one import may carry (422 beyond).")
    ] = 20_000
    search_cache_items: Annotated[
        int,
        Field(
            ge=0,
            le=1_000_000,
            description=(
                "Procedure summaries kept in memory per worker, in pages of list and search results, until the"
                " catalogue changes (least recently used pages out; about 4 kB each); 0 turns the cache off."
            ),
        ),
    ] = 10_000
    # Delivery of the catalogue's events (procedure published, amended, abolished): CATALOG_EVENTS__...
    events: EventSettings = EventSettings()
