"""Container health check: `GET /livez` (or `/readyz` with `--ready`) on the port of the process named by $SERVICE.

`--heartbeat PATH [--max-age SECONDS]` checks a worker without HTTP instead (the events
dispatcher, run with `dispatch --heartbeat PATH`): healthy while the file is younger than the age.

`/livez` answers while the process serves at all (Docker's HEALTHCHECK: restart when it stops);
`/readyz` also needs the database at the schema this code expects (Compose's dependency order:
the gateway starts once the services can serve).
"""

from __future__ import annotations

import os
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

PREFIXES = {
    "procedure_catalog": ("CATALOG_", 8001),
    "dossier_api": ("DOSSIER_", 8002),
    "satisfaction_survey": ("SURVEY_", 8003),
    "motcua_gateway": ("GATEWAY_", 8000),
}


def heartbeat_fresh(path: Path, max_age: float, now: float | None = None) -> bool:
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except OSError:
        return False
    return age <= max_age


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--heartbeat" in args:
        heartbeat = Path(args[args.index("--heartbeat") + 1])
        max_age = float(args[args.index("--max-age") + 1]) if "--max-age" in args else 60.0
        return 0 if heartbeat_fresh(heartbeat, max_age) else 1
    path = "/readyz" if "--ready" in args else "/livez"
    service = os.environ.get("SERVICE", "motcua_gateway")
    if service not in PREFIXES:
        sys.stderr.write(f"healthcheck: unknown SERVICE {service!r}\n")
        return 1
    prefix, default_port = PREFIXES[service]
    port = int(os.environ.get(f"{prefix}PORT", default_port))
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return 0 if response.status == 200 else 1
    except OSError:  # refused, timed out, or an HTTP error status (HTTPError is an OSError)
        return 1


if __name__ == "__main__":
    sys.exit(main())
