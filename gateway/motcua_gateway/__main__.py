"""``python -m motcua_gateway serve``."""

from __future__ import annotations

import sys

from motcua_gateway.config import GatewaySettings
from motcua_kit.cli import ServiceCommand, main

if __name__ == "__main__":
    sys.exit(
        main(
            ServiceCommand(
                settings_factory=GatewaySettings, app_factory="motcua_gateway.main:create_app", migrations=None
            )
        )
    )
