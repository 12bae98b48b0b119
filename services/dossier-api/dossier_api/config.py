"""dossier-api settings (environment prefix ``DOSSIER_``)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from motcua_kit.events.settings import EventSettings
from motcua_kit.settings import DatabaseSettings, ServiceSettings


class CatalogClientSettings(BaseModel):
    """Where the procedure catalogue answers (procedure-catalog's API)."""

    url: Annotated[str, Field(description="Base URL of procedure-catalog (no trailing `/api/v1`).")] = (
        "http://127.0.0.1:8001"
    )
    timeout_seconds: Annotated[
        float, Field(gt=0, le=60, description="How long a reception waits for the catalogue before 503.")
    ] = 3.0


class NationalPortalSettings(BaseModel):
    """The National Public Service Portal's dossier sync (DongBoHoSoMC, CapNhatTienDoHoSoMC)."""

    url: Annotated[
        str | None,
        Field(
            description=(
                "Base URL of the portal's sync API (the services are `{url}/api/DongBoHoSoMC` and "
                "`{url}/api/CapNhatTienDoHoSoMC`). Setting it declares the `national-portal` subscription "
                "(kind `national_portal`) when the dispatcher starts; unset, nothing is sent to the portal."
            ),
        ),
    ] = None
    token: Annotated[SecretStr | None, Field(description="Bearer token the portal issued to this agency (secret).")] = (
        None
    )
    agency_name: Annotated[
        str | None,
        Field(max_length=300, description="DonViXuLy: the agency's name as the portal knows it (default AGENCY_NAME)."),
    ] = None
    timeout_seconds: Annotated[
        float, Field(gt=0, le=120, description="How long one call to the portal may take before it is retried.")
    ] = 10.0

    @field_validator("url", "token", "agency_name", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # Deployments pass the variable always, empty where the agency has no portal connection.
        return None if value == "" else value


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
    agency_name: Annotated[
        str, Field(min_length=1, max_length=300, description="The agency's name on printed slips.")
    ] = "Sở Ngoại vụ thành phố Đà Nẵng"
    agency_parent: Annotated[
        str, Field(max_length=300, description="The governing body printed above the agency (empty for none).")
    ] = "Ủy ban nhân dân thành phố Đà Nẵng"
    agency_place: Annotated[
        str, Field(min_length=1, max_length=100, description="Locality of the slips' date line.")
    ] = "Đà Nẵng"
    agency_phone: Annotated[
        str, Field(max_length=40, description="The one-stop unit's public phone (empty for none).")
    ] = ""
    catalog: CatalogClientSettings = CatalogClientSettings()
    import_max_body_bytes: Annotated[
        int,
        Field(
            ge=1024,
            description="Largest NDJSON body of `POST /api/v1/dossiers/import` (other routes keep MAX_BODY_BYTES).",
        ),
    ] = 268_435_456
    events: EventSettings = EventSettings()
    national_portal: NationalPortalSettings = NationalPortalSettings()
