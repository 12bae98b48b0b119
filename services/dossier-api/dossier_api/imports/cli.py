"""``python -m dossier_api.imports FILE``: send a legacy NDJSON export to dossier-api, with a progress bar.

The file is sent in chunks of ``--lines`` lines, one request (one transaction) each. The import is
idempotent by dossier code, so a chunk that failed (network, 503) is simply sent again, and a
whole interrupted run can be restarted from the beginning. Rejected lines are written, with their
line number in the file and their reasons, to ``--rejections`` (NDJSON).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import httpx
import orjson
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

IMPORT_PATH = "/api/v1/dossiers/import"
RETRIES = 5


@dataclass
class Totals:
    lines: int = 0
    imported: int = 0
    already_present: int = 0
    rejected: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)


def chunks_of(stream: BinaryIO, lines_per_chunk: int) -> Iterator[tuple[int, bytes]]:
    """(number of the chunk's first line, chunk) for the whole file."""
    first, count, parts = 1, 0, []
    for number, line in enumerate(stream, start=1):
        parts.append(line if line.endswith(b"\n") else line + b"\n")
        count += 1
        if count == lines_per_chunk:
            yield first, b"".join(parts)
            first, count, parts = number + 1, 0, []
    if parts:
        yield first, b"".join(parts)


async def send_chunk(client: httpx.AsyncClient, body: bytes, token: str) -> dict[str, Any]:
    delay = 0.5
    for attempt in range(RETRIES):
        try:
            response = await client.post(
                IMPORT_PATH,
                content=body,
                headers={"content-type": "application/x-ndjson", "authorization": f"Bearer {token}"},
            )
        except httpx.TransportError:
            if attempt == RETRIES - 1:
                raise
        else:
            if response.status_code in {429, 502, 503, 504} and attempt < RETRIES - 1:
                delay = float(response.headers.get("retry-after", delay))
            else:
                if response.status_code != 200:
                    raise SystemExit(f"import refused: {response.status_code} {response.text[:500]}")
                report: dict[str, Any] = response.json()
                return report
        await asyncio.sleep(delay)
        delay = min(delay * 2, 10.0)
    raise AssertionError("unreachable")


async def run_import(
    stream: BinaryIO,
    size: int,
    *,
    base_url: str,
    token: str,
    lines_per_chunk: int = 5000,
    transport: httpx.AsyncBaseTransport | None = None,
    show_progress: bool = True,
) -> Totals:
    totals = Totals()
    columns = (TextColumn("importing"), BarColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    async with httpx.AsyncClient(base_url=base_url, transport=transport, timeout=600.0) as client:
        with Progress(*columns, disable=not show_progress) as progress:
            task = progress.add_task("import", total=size)
            for first_line, body in chunks_of(stream, lines_per_chunk):
                report = await send_chunk(client, body, token)
                totals.lines += report["lines"]
                totals.imported += report["imported"]
                totals.already_present += report["already_present"]
                totals.rejected += report["rejected"]
                for rejection in report["rejections"]:
                    totals.rejections.append({**rejection, "line": first_line + rejection["line"] - 1})
                progress.update(task, advance=len(body))
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dossier_api.imports", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="NDJSON export, one dossier per line")
    parser.add_argument("--url", default=os.environ.get("DOSSIER_IMPORT_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--lines", type=int, default=5000, help="lines per request (default 5000)")
    parser.add_argument("--rejections", type=Path, help="write rejected lines and their reasons here (NDJSON)")
    args = parser.parse_args(argv)
    token = os.environ.get("DOSSIER_IMPORT_TOKEN")
    if not token:
        sys.stderr.write("set DOSSIER_IMPORT_TOKEN to a bearer token with the `integration` role\n")
        return 2
    if args.lines < 1:
        sys.stderr.write("--lines must be at least 1\n")
        return 2
    with args.file.open("rb") as stream:
        totals = asyncio.run(
            run_import(
                stream,
                args.file.stat().st_size,
                base_url=args.url,
                token=token,
                lines_per_chunk=args.lines,
                show_progress=True,
            )
        )
    if args.rejections is not None:
        args.rejections.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in totals.rejections))
    sys.stdout.write(
        f"{totals.lines} lines: {totals.imported} imported, {totals.already_present} already present, "
        f"{totals.rejected} rejected\n"
    )
    return 0 if totals.rejected == 0 else 1
