"""``make token ROLE=<role>``: a development bearer token the locally running system accepts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from motcua_kit.auth import Role
from motcua_kit.devtokens import load_or_create_dev_keys, mint_token
from motcua_kit.settings import AuthSettings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--subject", help="the `sub` claim (default: dev-<role>)")
    parser.add_argument("--agency", default="SNGV", help="the caller's agency")
    parser.add_argument("--hours", type=float, default=12.0, help="lifetime of the token")
    parser.add_argument("--var", type=Path, default=Path("var"))
    args = parser.parse_args()
    key, kid, _ = load_or_create_dev_keys(args.var / "dev-keys")
    defaults = AuthSettings()
    token = mint_token(
        key,
        kid,
        issuer=defaults.issuer,
        audience=defaults.audience,
        subject=args.subject or f"dev-{args.role}",
        roles=[args.role],
        ttl_seconds=int(args.hours * 3600),
        name=f"Development {args.role}",
        agency=args.agency,
    )
    sys.stdout.write(token + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
