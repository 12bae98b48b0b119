"""dossier-api settings (environment prefix ``DOSSIER_``)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from motcua_kit.settings import DatabaseSettings, ServiceSettings


class DossierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DOSSIER_")
    service_name: ClassVar[str] = "dossier-api"

    port: int = 8002
    database: DatabaseSettings = DatabaseSettings(url="sqlite:///./var/dossier-api.db")
    agency_code: Annotated[
        str,
        Field(
            pattern=r"^[A-Za-z0-9.]{2,20}$",
            description="Code of the receiving agency, the first part of every dossier code.",
        ),
    ] = "SNGV"
