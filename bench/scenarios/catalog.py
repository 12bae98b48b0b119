"""The catalogue at national size: 6,000 procedures imported, searched and listed, on SQLite and PostgreSQL.

Each backend gets a fresh database and its own catalogue process (``python -m procedure_catalog
serve``). The 6,000 generated national records go in through ``POST /api/v1/procedures/import`` in
one request; then searches (words without diacritics, in either language) and filtered lists run
against it. Baselines in the same run: for the HTTP rows, a bare FastAPI endpoint under the same
server and load generator; for the import, parsing and checking the same records in process,
without HTTP or a database.

PostgreSQL comes from ``POSTGRES_URL`` (``make bench`` uses the local server when none is set); if it
cannot be reached, its rows are left out and the table says so.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.harness import Measurement, ServerProcess, Table, closed_loop, free_port, postgres_database, timed
from motcua_kit.devtokens import load_or_create_dev_keys, mint_token
from motcua_tools.stack import processes, stack_environment
from procedure_catalog.exchange.national import from_national

PROCEDURES = 6000

ACTIONS = [
    ("Cấp", "Issuing"),
    ("Cấp lại", "Reissuing"),
    ("Gia hạn", "Extending"),
    ("Điều chỉnh", "Amending"),
    ("Thu hồi", "Withdrawing"),
    ("Đăng ký", "Registering"),
    ("Xác nhận", "Certifying"),
    ("Phê duyệt", "Approving"),
    ("Cho phép sử dụng", "Permitting the use of"),
    ("Công nhận", "Recognising"),
]
OBJECTS = [
    ("giấy phép kinh doanh", "a business licence"),
    ("chứng chỉ hành nghề", "a practising certificate"),
    ("thẻ đi lại của doanh nhân APEC", "the APEC Business Travel Card"),
    ("giấy chứng nhận đăng ký đầu tư", "an investment registration certificate"),
    ("hộ chiếu công vụ", "an official passport"),
    ("giấy phép xây dựng", "a building permit"),
    ("giấy phép lao động cho người nước ngoài", "a work permit for a foreigner"),
    ("giấy chứng nhận quyền sử dụng đất", "a land use right certificate"),
    ("giấy phép hoạt động báo chí", "a press permit"),
    ("văn bằng bảo hộ", "a protection title"),
    ("giấy phép lái xe", "a driving licence"),
    ("chứng nhận lãnh sự", "a consular certification"),
    ("khoản viện trợ phi chính phủ nước ngoài", "foreign non-governmental aid"),
    ("hội nghị, hội thảo quốc tế", "an international conference"),
    ("giấy phép môi trường", "an environmental permit"),
]
QUALIFIERS = [
    ("cho tổ chức", "for an organisation"),
    ("cho cá nhân", "for an individual"),
    ("tại cấp tỉnh", "at provincial level"),
    ("thuộc thẩm quyền của Ủy ban nhân dân cấp huyện", "under the district People's Committee"),
    ("đối với doanh nghiệp có vốn đầu tư nước ngoài", "for foreign-invested enterprises"),
    ("trong trường hợp bị mất, hư hỏng", "when lost or damaged"),
]
FIELDS = [(f"LV{n:03d}", f"Lĩnh vực quản lý số {n}") for n in range(1, 61)]
AGENCIES = [(f"CQ{n:03d}", f"Sở quản lý số {n}") for n in range(1, 41)]
SEARCHES = [
    "cap giay phep",
    "the di lai doanh nhan",
    "GIẤY PHÉP LAO ĐỘNG",
    "gia han chung chi hanh nghe",
    "dang ky dau tu",
    "business travel card",
    "work permit",
    "chung nhan lanh su",
    "hộ chiếu",
    "ho chieu cong vu cho ca nhan",
]


def national_records(count: int, seed: int = 20251126) -> list[dict[str, Any]]:
    """``count`` plausible national records, the same on every run."""
    rng = random.Random(seed)  # noqa: S311 - generated test data, not secrets
    records = []
    for n in range(count):
        action, obj, qualifier = rng.choice(ACTIONS), rng.choice(OBJECTS), rng.choice(QUALIFIERS)
        field, agency = rng.choice(FIELDS), rng.choice(AGENCIES)
        online = rng.random() < 0.6
        channels = [("1", rng.choice([1, 3, 5, 7, 10, 15, 20, 30]))]
        if online:
            channels.append(("2", channels[0][1]))
        if rng.random() < 0.3:
            channels.append(("3", channels[0][1] + 2))
        fee = rng.choice([0, 0, 30000, 50000, 100000, 200000, 1200000])
        records.append(
            {
                "MATTHC": f"{1 + n % 2}.{n:06d}",
                "TENTTHC": f"{action[0]} {obj[0]} {qualifier[0]}",
                "TENTTHC_EN": f"{action[1]} {obj[1]} {qualifier[1]}",
                "MOTA": f"Thủ tục {action[0].lower()} {obj[0]} {qualifier[0]}.",
                "LINHVUCTHUCHIEN": [{"MALINHVUC": field[0], "TENLINHVUC": field[1]}],
                "COQUANTHUCHIEN": [{"MADONVI": agency[0], "TENDONVI": agency[1]}],
                "CAPTHUCHIEN": [{"CAPTHUCHIEN": rng.choice(["1", "2", "2", "3", "4"]), "TENCAP": ""}],
                "DOITUONGTHUCHIEN": [{"MADOITUONG": rng.choice(["CONGDAN", "TOCHUC"]), "TENDOITUONG": ""}],
                "TRINHTUTHUCHIEN": [
                    {"TRUONGHOP": "", "TRINHTU": [{"TENTRINHTU": "Nộp hồ sơ"}, {"TENTRINHTU": "Nhận kết quả"}]}
                ],
                "CACHTHUCTHUCHIEN": [
                    {
                        "KENH": kenh,
                        "THOIGIAN": [
                            {
                                "THOIGIANGIAIQUYET": str(days),
                                "DONVITINH": "Ngày làm việc",
                                "PHILEPHI": [{"SOTIEN": str(fee), "DONVI": "Đồng/hồ sơ", "MOTA": "Lệ phí"}]
                                if fee
                                else [],
                            }
                        ],
                    }
                    for kenh, days in channels
                ],
                "THANHPHANHOSO": [
                    {
                        "TRUONGHOP": "",
                        "GIAYTO": [
                            {"TENGIAYTO": "Tờ khai theo mẫu", "SOBANCHINH": "1", "SOBANSAO": "0"},
                            {"TENGIAYTO": "Bản sao giấy tờ tùy thân", "SOBANCHINH": "0", "SOBANSAO": "1"},
                        ],
                    }
                ],
                "KETQUATHUCHIEN": [{"TENKETQUA": obj[0].capitalize()}],
                "CANCUPHAPLY": [
                    {
                        "SOVANBAN": f"{rng.randint(1, 200)}/2020/NĐ-CP",
                        "TENVANBAN": "Nghị định",
                        "NGAYBANHANH": "01/07/2020",
                    }
                ],
                "MUCDO": rng.choice(["Toàn trình", "Một phần"]) if online else "",
                "MUCDOCU": rng.choice(["3", "4"]) if online else "2",
                "LIENTHONG": rng.random() < 0.1,
                "TRANGTHAI": "1",
            }
        )
    return records


class Catalogue:
    """A catalogue process on its own database, loaded with the generated records."""

    def __init__(self, backend: str, database_url: str, workdir: Path) -> None:
        self.backend = backend
        port = free_port()
        env = stack_environment(workdir, processes({"CATALOG_PORT": str(port)}), base=os.environ)
        env["CATALOG_DATABASE__URL"] = database_url
        env["CATALOG_LOG_LEVEL"] = "WARNING"
        self.env = env
        key, kid, _ = load_or_create_dev_keys(workdir / "dev-keys")
        self.token = mint_token(
            key, kid, issuer="motcua-dev", audience="motcua", subject="bench", roles=["catalog_editor"]
        )
        migrate = ServerProcess(
            [sys.executable, "-m", "procedure_catalog", "migrate"], env, "", workdir / f"migrate-{backend}.log"
        )
        if migrate.process.wait() != 0:
            raise RuntimeError(f"migration failed: see {workdir}/migrate-{backend}.log")
        self.server = ServerProcess(
            [sys.executable, "-m", "procedure_catalog", "serve"],
            env,
            f"http://127.0.0.1:{port}",
            workdir / f"catalog-{backend}.log",
        )

    def uncached(self, workdir: Path) -> ServerProcess:
        """A second process on the same database, with the page cache off: every search runs in full."""
        port = free_port()
        env = {**self.env, "CATALOG_PORT": str(port), "CATALOG_SEARCH_CACHE_ITEMS": "0"}
        return ServerProcess(
            [sys.executable, "-m", "procedure_catalog", "serve"],
            env,
            f"http://127.0.0.1:{port}",
            workdir / f"catalog-{self.backend}-uncached.log",
        )

    async def load(self, body: bytes) -> tuple[Measurement, Measurement]:
        """The full import, then the same import again (every record unchanged)."""
        headers = {"Authorization": f"Bearer {self.token}", "content-type": "application/json"}
        rows = []
        async with httpx.AsyncClient(timeout=300) as client:
            for label in ("import 6,000 new", "re-import 6,000 unchanged"):
                started = time.perf_counter()
                response = await client.post(
                    f"{self.server.url}/api/v1/procedures/import", content=body, headers=headers
                )
                elapsed = time.perf_counter() - started
                summary = response.json().get("summary", {}) if response.status_code == 200 else {}
                ok = response.status_code == 200 and not summary.get("rejected")
                note = ", ".join(f"{k} {v}" for k, v in summary.items() if v) or response.text[:80]
                row = Measurement(f"{self.backend}: {label}", [elapsed], elapsed, errors=0 if ok else 1, note=note)
                row.peak_rss_mb = self.server.peak_rss_mb
                rows.append(row)
        return rows[0], rows[1]


async def http_rows(
    label: str, server: ServerProcess, paths: Callable[[int], str], *, operations: int, concurrency: int
) -> Measurement:
    url = server.url
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency), timeout=30) as client:

        async def get(i: int) -> bool:
            return (await client.get(url + paths(i))).status_code == 200

        row = await closed_loop(label, get, operations=operations, concurrency=concurrency)
    row.peak_rss_mb = server.peak_rss_mb
    return row


def _search(i: int) -> str:
    return f"/api/v1/procedures?q={SEARCHES[i % len(SEARCHES)]}"


def _filtered(i: int) -> str:
    field = FIELDS[i % len(FIELDS)][0]
    agency = AGENCIES[i % len(AGENCIES)][0]
    if i % 2:
        return f"/api/v1/procedures?field={field}&channel=online&online_level=partial&sort=-valid_from"
    return f"/api/v1/procedures?agency={agency}&applicant_type=citizen&status=any&page=2&size=20"


def _read(i: int) -> str:
    n = (i * 7919) % PROCEDURES
    return f"/api/v1/procedures/{1 + n % 2}.{n:06d}"


async def run(quick: bool) -> list[Table]:
    operations = 300 if quick else 3000
    workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-catalog-"))
    records = national_records(PROCEDURES)
    body = orjson.dumps({"records": records, "decision": {"number": "BENCH-1", "effective_on": "2025-01-01"}})
    parse = timed("baseline: parse and check 6,000 records in process", lambda: [from_national(r) for r in records], 1)
    parse.note = f"{len(body) / 1e6:.1f} MB of JSON"

    imports = Table(
        "Catalogue: full import of 6,000 national records",
        "One POST /api/v1/procedures/import with every record; then the same body again (all unchanged). "
        "Baseline: understanding and checking the records in process, without HTTP or a database.",
        baseline=parse.label,
        target="the full import of 6,000 in under 10 s",
        rows=[parse],
    )
    reads = Table(
        "Catalogue at 6,000 procedures: search and filtered lists",
        f"One uvicorn worker per process; {operations} requests per row. Searches are {len(SEARCHES)} queries, "
        "words without diacritics in either language (ranked), asked in turn; filtered lists combine field or "
        "agency, channel, online level and status. The service keeps pages of results until the catalogue "
        "changes, so a repeated request is answered from memory; the `cache off` rows are a second process on "
        "the same database with CATALOG_SEARCH_CACHE_ITEMS=0, where every request searches in full.",
        baseline="baseline: bare FastAPI /ping, 10 clients",
        target="p95 <= 20 ms for a search served by the service",
    )
    base_port = free_port()
    baseline = ServerProcess(
        [sys.executable, "-m", "uvicorn", "bench.baseline_app:app", "--port", str(base_port), "--log-level", "warning"],
        dict(os.environ),
        f"http://127.0.0.1:{base_port}",
        workdir / "baseline.log",
    )
    try:
        baseline.wait_ready("/ping")
        for concurrency in (1, 10):
            label = f"baseline: bare FastAPI /ping, {concurrency} client{'s' if concurrency > 1 else ''}"
            row = await http_rows(label, baseline, lambda _: "/ping", operations=operations, concurrency=concurrency)
            reads.rows.append(row)
        async with postgres_database("catalog") as postgres_url:
            backends = [("sqlite", f"sqlite:///{workdir / 'catalog.db'}")]
            if postgres_url:
                backends.append(("postgresql", postgres_url))
            else:
                reads.description += " PostgreSQL was not reachable: its rows are missing."
            for backend, url in backends:
                catalogue = Catalogue(backend, url, workdir)
                uncached: ServerProcess | None = None
                try:
                    catalogue.server.wait_ready()
                    imports.rows.extend(await catalogue.load(body))
                    uncached = catalogue.uncached(workdir)
                    uncached.wait_ready()
                    for label, server, paths, concurrency in (
                        ("search, 1 client", catalogue.server, _search, 1),
                        ("search, cache off, 1 client", uncached, _search, 1),
                        ("search, 10 clients", catalogue.server, _search, 10),
                        ("search, cache off, 10 clients", uncached, _search, 10),
                        ("filtered list, 10 clients", catalogue.server, _filtered, 10),
                        ("filtered list, cache off, 10 clients", uncached, _filtered, 10),
                        ("read one (contract), 10 clients", catalogue.server, _read, 10),
                    ):
                        row = await http_rows(
                            f"{backend}: {label}", server, paths, operations=operations, concurrency=concurrency
                        )
                        reads.rows.append(row)
                finally:
                    catalogue.server.stop()
                    if uncached is not None:
                        uncached.stop()
    finally:
        baseline.stop()
    return [imports, reads]
