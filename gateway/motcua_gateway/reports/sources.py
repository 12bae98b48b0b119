"""The services' statistics, fetched server to server for the reports.

The gateway calls each service directly (not through its own edge), over the same pooled transport
and circuit breaker as proxied requests, with a short-lived token it signs itself: subject
``client:<GATEWAY_REPORTS__CLIENT_NAME>``, role ``reporter`` (the services trust the gateway's
issuer as they do for API-key clients). The caller's own role was checked at the gateway, so the
public summary can be served without the caller holding one. Without a signing key (a development
setup) the caller's own bearer token is forwarded instead, and an anonymous caller gets every part
"missing" (``no_credentials``).

A service that is down, slow, refusing or answering outside the contract yields a
:class:`MissingPart` for its part; the overview is still composed from the others.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, ValidationError

from motcua_gateway.apiclients.verifier import ApiClientIdentity
from motcua_gateway.internal_tokens import InternalTokenIssuer
from motcua_gateway.reports.inputs import CatalogueStatsInput, DossierStatsInput, SurveyStatsInput
from motcua_gateway.reports.periods import Period
from motcua_gateway.reports.schemas import MissingPart, Part
from motcua_gateway.routes import UpstreamName
from motcua_gateway.upstream import Upstream, UpstreamError, UpstreamTimeout
from motcua_kit.auth import Role
from motcua_kit.context import REQUEST_ID_HEADER, current_request_id
from motcua_kit.logging import get_logger

log = get_logger("motcua.gateway.reports")

T = TypeVar("T", bound=BaseModel)

OWNER = {
    Part.CATALOGUE: UpstreamName.CATALOG,
    Part.DOSSIERS: UpstreamName.DOSSIER,
    Part.SATISFACTION: UpstreamName.SURVEY,
}


@dataclass(frozen=True, slots=True)
class Fetched(Generic[T]):
    """One part: its statistics, or why they are missing."""

    data: T | None
    missing: MissingPart | None = None


@dataclass(frozen=True, slots=True)
class Statistics:
    catalogue: Fetched[CatalogueStatsInput]
    dossiers: Fetched[DossierStatsInput]
    satisfaction: Fetched[SurveyStatsInput]

    @property
    def missing(self) -> list[MissingPart]:
        return [f.missing for f in (self.catalogue, self.dossiers, self.satisfaction) if f.missing is not None]


class Credentials:
    """The Authorization header the statistics calls carry (see the module docstring)."""

    def __init__(self, issuer: InternalTokenIssuer | None, client_name: str) -> None:
        self.issuer = issuer
        self.identity = ApiClientIdentity(
            name=client_name, display_name="motcua gateway reports", roles=frozenset({Role.REPORTER}), agency=None
        )

    def header(self, caller_authorization: str | None) -> bytes | None:
        if self.issuer is not None:
            return b"Bearer " + self.issuer.token_for(self.identity).encode()
        if caller_authorization is not None and caller_authorization.lower().startswith("bearer "):
            return caller_authorization.encode("latin-1")
        return None


class StatisticsClient:
    def __init__(self, upstreams: Mapping[UpstreamName, Upstream], credentials: Credentials, timeout: float) -> None:
        self.upstreams = upstreams
        self.credentials = credentials
        self.timeout = timeout

    async def fetch_all(self, period: Period, agency: str | None, caller_authorization: str | None) -> Statistics:
        """The three services' statistics for the period, asked at once."""
        authorization = self.credentials.header(caller_authorization)
        dates = {"from": period.first.isoformat(), "to": period.last.isoformat()}
        scope = {"agency": agency} if agency else {}
        catalogue_params = {"at": period.last.isoformat(), "since": period.first.isoformat(), **scope}
        catalogue, dossiers, satisfaction = await asyncio.gather(
            self.fetch(
                Part.CATALOGUE, "/api/v1/procedures/stats", catalogue_params, CatalogueStatsInput, authorization
            ),
            self.fetch(Part.DOSSIERS, "/api/v1/dossiers/stats", {**dates, **scope}, DossierStatsInput, authorization),
            self.fetch(Part.SATISFACTION, "/api/v1/surveys/stats", {**dates, **scope}, SurveyStatsInput, authorization),
        )
        return Statistics(catalogue, dossiers, satisfaction)

    async def fetch(
        self, part: Part, path: str, params: Mapping[str, str], model: type[T], authorization: bytes | None
    ) -> Fetched[T]:
        upstream = self.upstreams[OWNER[part]]

        def missing(code: str, reason: str) -> Fetched[T]:
            log.warning("report part missing", part=part.value, upstream=upstream.name.value, code=code)
            return Fetched(None, MissingPart(part=part, service=upstream.name.value, code=code, reason=reason))

        if authorization is None:
            return missing("no_credentials", "The gateway has no credentials to read the statistics with.")
        if not upstream.breaker.allow():
            return missing("circuit_open", f"The {upstream.name.value} service is unavailable; its circuit is open.")
        try:
            status, body = await self._get(upstream, path, params, authorization)
        except UpstreamError as exc:
            return missing(exc.code, f"The {upstream.name.value} service {exc.what}.")
        if status != 200:
            return missing("upstream_refused", f"The {upstream.name.value} service answered {status}{_code(body)}.")
        try:
            return Fetched(model.model_validate_json(body))
        except ValidationError:
            return missing("bad_answer", f"The {upstream.name.value} service's statistics are not as agreed.")

    async def _get(
        self, upstream: Upstream, path: str, params: Mapping[str, str], authorization: bytes
    ) -> tuple[int, bytes]:
        """One GET through the service's breaker; a timeout is an :class:`UpstreamTimeout` here too."""
        headers = [(b"accept", b"application/json"), (b"authorization", authorization)]
        request_id = current_request_id()
        if request_id:
            headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode("latin-1")))
        target = f"{path}?{urlencode(params)}".encode("latin-1")
        try:
            async with asyncio.timeout(self.timeout):
                async with upstream.transport.request("GET", target, headers, None) as response:
                    status, body = response.status, await response.read()
        except UpstreamError:
            upstream.breaker.record_failure()
            raise
        except TimeoutError as exc:
            upstream.breaker.record_failure()
            raise UpstreamTimeout("timeout") from exc
        except BaseException:
            upstream.breaker.release()  # cancelled: it says nothing about the service's health
            raise
        upstream.breaker.record_success()
        return status, body


def _code(body: bytes) -> str:
    """The problem code of an error answer, for the reason text."""
    try:
        document = json.loads(body)
    except ValueError:
        return ""
    code = document.get("code") if isinstance(document, dict) else None
    return f" ({code})" if isinstance(code, str) and len(code) < 80 else ""
