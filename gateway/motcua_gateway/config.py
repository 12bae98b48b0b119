"""Gateway settings (environment prefix ``GATEWAY_``)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from motcua_kit.settings import ServiceSettings


class UpstreamSettings(BaseModel):
    """Where one service listens, and how long the gateway waits for it."""

    url: Annotated[str, Field(description="Base URL of the service.")]
    connect_timeout_seconds: Annotated[float, Field(gt=0, description="Time to open a connection.")] = 2.0
    read_timeout_seconds: Annotated[float, Field(gt=0, description="Time to wait for the answer.")] = 30.0
    max_connections: Annotated[int, Field(ge=1, description="Connections kept to this service.")] = 100


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_")
    service_name: ClassVar[str] = "gateway"

    port: int = 8000
    max_body_bytes: int = 64 * 1024 * 1024
    catalog: UpstreamSettings = UpstreamSettings(url="http://127.0.0.1:8001")
    dossier: UpstreamSettings = UpstreamSettings(url="http://127.0.0.1:8002")
    survey: UpstreamSettings = UpstreamSettings(url="http://127.0.0.1:8003")
    openapi_cache_seconds: Annotated[
        int, Field(ge=0, description="How long the merged OpenAPI document is reused.")
    ] = 60
