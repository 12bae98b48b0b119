"""procedure-catalog settings (environment prefix ``CATALOG_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from motcua_kit.settings import DatabaseSettings, ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_")
    service_name: ClassVar[str] = "procedure-catalog"

    port: int = 8001
    database: DatabaseSettings = DatabaseSettings(url="sqlite:///./var/procedure-catalog.db")
