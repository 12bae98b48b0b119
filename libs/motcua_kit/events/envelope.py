"""The CloudEvents 1.0 envelope (JSON event format) of every motcua event.

The envelope has few fields, so it is a small pydantic model rather than a dependency on the
CloudEvents SDK (whose API is being reorganised across major versions); `to_json` gives the
structured-mode body, ``application/cloudevents+json``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

CLOUDEVENTS_MEDIA_TYPE = "application/cloudevents+json"
TYPE_PREFIX = "vn.motcua."


class CloudEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=64)
    source: str = Field(min_length=1, description="URI reference of the producing service, e.g. /dossier-api.")
    type: str = Field(min_length=1, description="Reverse-DNS type, e.g. vn.motcua.dossier.received.")
    subject: str | None = Field(default=None, description="The dossier code, procedure code, ...")
    time: dt.datetime
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]

    def to_json(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json", exclude_none=True))


def new_event_id() -> str:
    return uuid.uuid4().hex


def event_type(name: str) -> str:
    """``dossier.received`` -> ``vn.motcua.dossier.received``."""
    return name if name.startswith(TYPE_PREFIX) else TYPE_PREFIX + name
