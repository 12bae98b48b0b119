"""dossier-api's dispatcher (``python -m dossier_api dispatch``): webhooks, and the national portal sync."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import SecretStr

from dossier_api.config import DossierSettings
from dossier_api.events.store import STORE
from dossier_api.portal.repository import NATIONAL_PORTAL_KIND
from dossier_api.portal.sender import NationalPortalSender
from motcua_kit.db import Database
from motcua_kit.events.dispatcher import Dispatcher
from motcua_kit.events.settings import DeclaredSubscription

PORTAL_SUBSCRIPTION = "national-portal"


def portal_subscription(settings: DossierSettings) -> DeclaredSubscription | None:
    """The portal subscription that ``DOSSIER_NATIONAL_PORTAL__URL`` declares (every dossier event).

    Its signing secret is never used: the portal sender authenticates with the portal's token.
    """
    url = settings.national_portal.url
    if not url:
        return None
    return DeclaredSubscription(
        name=PORTAL_SUBSCRIPTION,
        url=url,
        kind=NATIONAL_PORTAL_KIND,
        secret=SecretStr("unused: the national portal sender authenticates with DOSSIER_NATIONAL_PORTAL__TOKEN"),
    )


class DossierDispatcher(Dispatcher):
    """The kit's dispatcher, with the national portal sender (and its HTTP client) to close."""

    def __init__(
        self,
        database: Database,
        settings: DossierSettings,
        *,
        portal_transport: httpx.AsyncBaseTransport | None = None,
        **kwargs: Any,
    ) -> None:
        declared = [*settings.events.subscriptions]
        portal = portal_subscription(settings)
        if portal is not None and all(s.name != portal.name for s in declared):
            declared.append(portal)
        self.portal = NationalPortalSender(database, settings, transport=portal_transport)
        super().__init__(
            database,
            STORE,
            settings.events.model_copy(update={"subscriptions": declared}),
            senders={NATIONAL_PORTAL_KIND: self.portal},
            **kwargs,
        )

    async def aclose(self) -> None:
        await self.portal.aclose()
        await super().aclose()


def build_dispatcher(settings: Any, database: Database) -> Dispatcher:
    """``ServiceCommand(dispatcher=...)``: the settings are dossier-api's."""
    assert isinstance(settings, DossierSettings)
    return DossierDispatcher(database, settings)
