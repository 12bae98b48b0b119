"""What an application's lifespan does to the process around it."""

from __future__ import annotations

import gc

from motcua_kit.app import create_service_app
from tests.kit.conftest import KitSettings, router


async def test_startup_objects_are_frozen_while_serving_and_released_at_shutdown(kit_settings: KitSettings) -> None:
    app = create_service_app(
        settings=kit_settings, title="kit test", version="0", description="kit test", routers=[router]
    )
    assert gc.get_freeze_count() == 0
    async with app.router.lifespan_context(app):
        # Left out of full collections while the process serves.
        assert gc.get_freeze_count() > 10_000
    # Back under the collector: an application stopped in a longer process (a test run) can be freed.
    assert gc.get_freeze_count() == 0
