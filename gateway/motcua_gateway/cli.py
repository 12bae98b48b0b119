"""``python -m motcua_gateway api-clients ...``: manage system clients' API keys from a shell.

The same operations as ``/api/v1/api-clients`` (which needs an admin token), for the first client
of a new installation and for operators on the host.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from collections.abc import Sequence

from motcua_gateway.apiclients.repository import ApiClientRepository
from motcua_gateway.apiclients.router import issued, to_read
from motcua_gateway.apiclients.schemas import ApiClientCreate
from motcua_gateway.apiclients.service import ApiClientService
from motcua_gateway.config import GatewaySettings
from motcua_kit.cli import ensure_sqlite_directory
from motcua_kit.db import Database
from motcua_kit.errors import ProblemError


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="motcua_gateway api-clients", description=__doc__)
    sub = root.add_subparsers(dest="action", required=True)
    create = sub.add_parser("create", help="register a client and print its first key")
    create.add_argument("name")
    create.add_argument("--roles", required=True, help="comma-separated, e.g. integration")
    create.add_argument("--display-name")
    create.add_argument("--agency")
    rotate = sub.add_parser("rotate", help="print a new key; the current one works for the grace period")
    rotate.add_argument("name")
    rotate.add_argument("--grace-hours", type=float)
    revoke = sub.add_parser("revoke", help="stop a key now")
    revoke.add_argument("name")
    revoke.add_argument("key_id")
    sub.add_parser("list", help="list clients and their keys (never the keys themselves)")
    return root


async def run(args: argparse.Namespace, settings: GatewaySettings) -> object:
    database = Database.from_settings(settings.database)
    pepper = settings.api_keys.pepper.get_secret_value() if settings.api_keys.pepper else None
    try:
        async with database.transaction() as session:
            service = ApiClientService(
                ApiClientRepository(session),
                pepper=pepper,
                grace=dt.timedelta(hours=settings.api_keys.rotation_grace_hours),
            )
            if args.action == "create":
                body = ApiClientCreate.model_validate(
                    {
                        "name": args.name,
                        "display_name": args.display_name or args.name,
                        "roles": [r.strip() for r in args.roles.split(",") if r.strip()],
                        "agency": args.agency,
                    }
                )
                return issued(*(await service.create(body))).model_dump(mode="json")
            if args.action == "rotate":
                return issued(*(await service.rotate(args.name, args.grace_hours))).model_dump(mode="json")
            if args.action == "revoke":
                await service.revoke(args.name, args.key_id)
                return {"revoked": args.key_id}
            return [to_read(c).model_dump(mode="json") for c in await service.list()]
    finally:
        await database.dispose()


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    settings = GatewaySettings()
    ensure_sqlite_directory(settings.database.url)
    try:
        result = asyncio.run(run(args, settings))
    except ProblemError as exc:
        sys.stderr.write(f"{exc.code}: {exc.detail or exc.title}\n")
        return 1
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        sys.stderr.write(f"{exc}\n")
        return 2
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0
