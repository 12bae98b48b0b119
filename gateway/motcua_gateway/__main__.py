"""``python -m motcua_gateway serve|migrate|revision|current`` and ``... api-clients ...``."""

from __future__ import annotations

import sys

from motcua_gateway.config import GatewaySettings
from motcua_gateway.main import MIGRATIONS
from motcua_kit.cli import ServiceCommand, main

if __name__ == "__main__":
    if sys.argv[1:2] == ["api-clients"]:
        from motcua_gateway.cli import main as api_clients

        sys.exit(api_clients(sys.argv[2:]))
    sys.exit(
        main(
            ServiceCommand(
                settings_factory=GatewaySettings,
                app_factory="motcua_gateway.main:create_app",
                migrations=MIGRATIONS,
                proxy_headers=False,
            )
        )
    )
