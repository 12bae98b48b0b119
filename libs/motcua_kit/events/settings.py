"""Settings of a service's events: delivery, retries, declared subscriptions, the inbox secret."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, SecretStr


class DeclaredSubscription(BaseModel):
    """A subscription kept in step with configuration at start-up (e.g. another motcua service)."""

    name: Annotated[str, Field(min_length=1, max_length=120)]
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    event_types: list[str] = []
    agency: str | None = None
    secret: SecretStr
    kind: str = "webhook"


class EventSettings(BaseModel):
    batch_size: Annotated[int, Field(ge=1, le=1000, description="Subjects claimed per dispatcher round.")] = 100
    concurrency: Annotated[int, Field(ge=1, le=200, description="Subjects sent at once by one dispatcher.")] = 20
    chain_length: Annotated[
        int, Field(ge=1, le=1000, description="Deliveries of one subject a dispatcher takes in a round, sent in order.")
    ] = 50
    lease_seconds: Annotated[
        int, Field(ge=5, description="How long a claimed delivery is reserved before another dispatcher may take it.")
    ] = 60
    max_attempts: Annotated[int, Field(ge=1, le=100, description="Tries before a delivery becomes a dead letter.")] = 10
    backoff_base_seconds: Annotated[
        float, Field(gt=0, description="Delay after the first failure; doubles each time.")
    ] = 2.0
    backoff_max_seconds: Annotated[float, Field(gt=0, description="Longest delay between two tries.")] = 3600.0
    request_timeout_seconds: Annotated[float, Field(gt=0, description="Time a subscriber has to answer.")] = 10.0
    idle_poll_seconds: Annotated[float, Field(gt=0, description="Dispatcher pause when there is nothing to send.")] = (
        0.5
    )
    subscriptions: Annotated[
        list[DeclaredSubscription],
        Field(description="Subscriptions kept in step with configuration at start-up (JSON list)."),
    ] = []
    inbox_secret: Annotated[
        SecretStr | None,
        Field(description="Secret that signs events this service receives from other services (whsec_...)."),
    ] = None
