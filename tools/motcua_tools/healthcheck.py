"""Container health check: `GET /livez` on the port of the process named by $SERVICE."""

from __future__ import annotations

import os
import sys
import urllib.request

PREFIXES = {
    "procedure_catalog": ("CATALOG_", 8001),
    "dossier_api": ("DOSSIER_", 8002),
    "satisfaction_survey": ("SURVEY_", 8003),
    "motcua_gateway": ("GATEWAY_", 8000),
}


def main() -> int:
    prefix, default_port = PREFIXES[os.environ.get("SERVICE", "motcua_gateway")]
    port = int(os.environ.get(f"{prefix}PORT", default_port))
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=2) as response:
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
