from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from motcua_kit.auth import Role

ClientName = Annotated[
    str, StringConstraints(min_length=3, max_length=64, pattern=r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
AgencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.]{2,20}$")]


class ApiClientCreate(BaseModel):
    """A system client and its first key."""

    model_config = ConfigDict(extra="forbid")

    name: ClientName = Field(description="Slug naming the client, e.g. `city-one-stop`.", examples=["national-portal"])
    display_name: DisplayName = Field(examples=["Cổng Dịch vụ công quốc gia"])
    roles: list[Role] = Field(min_length=1, max_length=10, description="Roles its calls carry (never `admin`).")
    agency: AgencyCode | None = Field(default=None, description="The agency it acts for, if only one.")


class ApiClientUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName | None = None
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=10)
    agency: AgencyCode | None = None
    enabled: bool | None = Field(default=None, description="A disabled client's keys are all refused.")


class KeyRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grace_hours: float | None = Field(
        default=None, ge=0, le=24 * 90, description="How long the current key keeps working (default from settings)."
    )


class ApiKeyRead(BaseModel):
    key_id: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    valid: bool


class ApiClientRead(BaseModel):
    name: str
    display_name: str
    roles: list[Role]
    agency: str | None
    enabled: bool
    created_at: dt.datetime
    keys: list[ApiKeyRead]


class ApiKeyIssued(BaseModel):
    """A new key. `api_key` is shown only in this answer: store it in the client's secret store."""

    client: ApiClientRead
    key_id: str
    api_key: str = Field(description="Send it as the `X-API-Key` header.")
