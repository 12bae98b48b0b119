"""``make api-key CLIENT=<name> ROLES=<roles>``: an API key the locally running system accepts.

Runs ``python -m motcua_gateway api-clients create`` with the environment ``make run`` gives the
gateway (its database and pepper under ``var/``), and prints the new key.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from motcua_tools.stack import processes, stack_environment


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--client", required=True, help="the client's slug, e.g. city-one-stop")
    parser.add_argument("--roles", required=True, help="comma-separated, e.g. integration")
    parser.add_argument("--agency", help="the agency it acts for")
    parser.add_argument("--var", type=Path, default=Path("var"))
    args = parser.parse_args()
    env = stack_environment(args.var.resolve(), processes())
    command = [sys.executable, "-m", "motcua_gateway", "api-clients", "create", args.client, "--roles", args.roles]
    if args.agency:
        command += ["--agency", args.agency]
    for step in (["migrate"], None):
        argv = [sys.executable, "-m", "motcua_gateway", *step] if step else command
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            return done.returncode
    sys.stdout.write(json.loads(done.stdout)["api_key"] + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
