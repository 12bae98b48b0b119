"""Exchange with the national database, and the public list as XLSX and CSV."""

from __future__ import annotations

import copy
import csv
import gc
import io
from typing import Any

import openpyxl
import pytest

from motcua_kit.testing import TokenFactory, assert_problem
from procedure_catalog.exchange.service import ExchangeService
from tests.procedure_catalog.factories import Catalogue, national_record


async def _import(catalogue: Catalogue, records: list[Any], **decision: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"records": records}
    if decision:
        body["decision"] = decision
    response = await catalogue.client.post("/api/v1/procedures/import", json=body, headers=catalogue.editor)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_a_national_record_becomes_a_procedure_with_its_references(catalogue: Catalogue) -> None:
    report = await _import(catalogue, [national_record()], effective_on="2024-03-01", number="QĐ-CSDL-1")
    assert report["summary"] == {"created": 1, "changed": 0, "unchanged": 0, "rejected": 0}
    assert report["records"] == [{"index": 0, "code": "1.009999", "outcome": "created", "version": 1, "reasons": []}]
    assert report["announcement"]["number"] == "QĐ-CSDL-1"
    assert report["announcement"]["source"] == "import"
    assert report["announcement"]["created"] == 1

    read = (await catalogue.client.get("/api/v1/procedures/1.009999")).json()
    assert read["valid_from"] == "2024-03-01"
    assert read["applicant_types"] == ["organisation"]
    assert read["online_level"] == "partial"
    assert read["channels"][0]["fees"][0]["amount_vnd"] == 1200000
    assert read["channels"][1]["processing_time"] == {"value": 5, "unit": "working_days"}
    assert read["legal_basis"][0]["issued_on"] == "2020-02-21"
    assert read["agency"]["name_vi"] == "Sở Ngoại vụ Hà Nội"
    assert (await catalogue.client.get("/api/v1/fields/NGV-SK")).json()["name_vi"] == "Sự kiện đối ngoại"
    assert (await catalogue.client.get("/api/v1/agencies/SNGV-HN")).json()["authority_level"] == "province"


async def test_importing_twice_changes_nothing(catalogue: Catalogue) -> None:
    records = [national_record(), national_record("1.009998", TENTTHC="Thủ tục khác")]
    first = await _import(catalogue, records)
    assert first["summary"]["created"] == 2
    second = await _import(catalogue, records)
    assert second["summary"] == {"created": 0, "changed": 0, "unchanged": 2, "rejected": 0}
    assert second["announcement"] is None
    assert (await catalogue.client.get("/api/v1/announcements")).json()["total"] == 1


async def test_a_changed_record_is_an_amendment_and_status_0_an_abolition(catalogue: Catalogue) -> None:
    await _import(catalogue, [national_record(), national_record("1.009998")], effective_on="2024-01-01")
    changed = national_record(TENTTHC="Tên đã sửa")
    abolished = national_record("1.009998", TRANGTHAI="0")
    report = await _import(catalogue, [changed, abolished], effective_on="2024-06-01")
    assert [(r["outcome"], r["version"]) for r in report["records"]] == [("changed", 2), ("changed", 2)]
    assert (report["announcement"]["amended"], report["announcement"]["abolished"]) == (1, 1)
    assert (await catalogue.client.get("/api/v1/procedures/1.009999")).json()["name_vi"] == "Tên đã sửa"
    assert (await catalogue.client.get("/api/v1/procedures/1.009998")).json()["status"] == "abolished"
    again = await _import(catalogue, [abolished], effective_on="2024-07-01")
    assert again["records"][0]["outcome"] == "unchanged"


async def test_bad_records_are_rejected_one_by_one(catalogue: Catalogue) -> None:
    no_time = national_record("2.000001")
    no_time["CACHTHUCTHUCHIEN"] = [
        {"KENH": "1", "THOIGIAN": [{"THOIGIANGIAIQUYET": "-2", "DONVITINH": "Ngày làm việc"}]}
    ]
    calendar_days = national_record("2.000002")
    calendar_days["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["DONVITINH"] = "Ngày"
    negative_fee = copy.deepcopy(national_record("2.000003"))
    negative_fee["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["PHILEPHI"][0]["SOTIEN"] = "-5000"
    records: list[Any] = [
        national_record("2.000000"),
        no_time,
        calendar_days,
        negative_fee,
        national_record("2.000004", TENTTHC="", KENH=None, CAPTHUCHIEN=[{"CAPTHUCHIEN": "9"}]),
        national_record("2.000000"),
        "not a record",
        {"TENTTHC": "Không có mã"},
        national_record("2.000005", TRANGTHAI="0"),
        national_record("2.000006", DOITUONGTHUCHIEN=[{"MADOITUONG": "?", "TENDOITUONG": "Sinh vật lạ"}]),
        national_record("2.000007", CANCUPHAPLY=[{"SOVANBAN": "1", "TENVANBAN": "Luật", "NGAYBANHANH": "31/02/2020"}]),
    ]
    report = await _import(catalogue, records)
    outcomes = [(r["code"], r["outcome"]) for r in report["records"]]
    assert outcomes[0] == ("2.000000", "created")
    assert {outcome for _, outcome in outcomes[1:]} == {"rejected"}
    assert report["summary"] == {"created": 1, "changed": 0, "unchanged": 0, "rejected": 10}
    reasons = {r["index"]: " | ".join(r["reasons"]) for r in report["records"]}
    assert "THOIGIANGIAIQUYET" in reasons[1] or "processing_time" in reasons[1]
    assert "unsupported time unit" in reasons[2]
    assert "CACHTHUCTHUCHIEN.0.fees.0.amount_vnd" in reasons[3]
    assert "TENTTHC" in reasons[4]
    assert "CAPTHUCHIEN" in reasons[4]
    assert "already appears in record 0" in reasons[5]
    assert "JSON object" in reasons[6]
    assert "MATTHC: required" in reasons[7]
    assert "abolished in the national record and unknown here" in reasons[8]
    assert "applicant" in reasons[9]
    assert "CANCUPHAPLY: not a date" in reasons[10]
    assert (await catalogue.client.get("/api/v1/procedures/2.000000")).status_code == 200
    assert (await catalogue.client.get("/api/v1/procedures/2.000001")).status_code == 404


async def test_an_import_never_rewrites_history(catalogue: Catalogue) -> None:
    await _import(catalogue, [national_record()], effective_on="2024-06-01")
    report = await _import(catalogue, [national_record(TENTTHC="Sửa lùi ngày")], effective_on="2024-01-01")
    assert report["records"][0]["outcome"] == "rejected"
    assert "takes effect on 2024-06-01" in report["records"][0]["reasons"][0]


async def test_import_limits_and_roles(catalogue: Catalogue, tokens: TokenFactory) -> None:
    body = {"records": [national_record()]}
    assert_problem(await catalogue.client.post("/api/v1/procedures/import", json=body), 401)
    citizen = tokens.headers("citizen")
    assert_problem(await catalogue.client.post("/api/v1/procedures/import", json=body, headers=citizen), 403)
    dates = {"records": [], "decision": {"signed_on": "2024-02-01", "effective_on": "2024-01-01"}}
    response = await catalogue.client.post("/api/v1/procedures/import", json=dates, headers=catalogue.editor)
    assert_problem(response, 422)
    many: dict[str, list[dict[str, str]]] = {"records": [{}] * 20_001}
    response = await catalogue.client.post("/api/v1/procedures/import", json=many, headers=catalogue.editor)
    assert_problem(response, 422, "too_many_records")


async def test_the_national_export_imports_back_unchanged(catalogue: Catalogue) -> None:
    code = await catalogue.published(
        translations={"fr": {"name": "Procédure d'essai"}}, conditions_en="None", legacy_online_level=None
    )
    await catalogue.published(inter_agency=True, internal=True, one_stop=False)
    response = await catalogue.client.get("/api/v1/procedures/export")
    assert response.headers["content-type"] == "application/json"
    assert 'filename="tthc-' in response.headers["content-disposition"]
    document = response.json()
    assert document["count"] == 2
    record = next(r for r in document["records"] if r["MATTHC"] == code)
    assert record["TENTTHC_EN"]
    assert record["CACHTHUCTHUCHIEN"][0]["KENH"] == "1"
    assert record["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["PHILEPHI"][0]["SOTIEN"] == "200000"
    assert record["CANCUPHAPLY"][0]["NGAYBANHANH"] == "28/02/2006"
    assert record["TRANGTHAI"] == "1"

    document["decision"] = {"effective_on": "2025-01-01"}
    report = await catalogue.client.post("/api/v1/procedures/import", json=document, headers=catalogue.editor)
    assert report.json()["summary"] == {"created": 0, "changed": 0, "unchanged": 2, "rejected": 0}


@pytest.mark.parametrize(("language", "header"), [("vi", "Tên thủ tục hành chính"), ("en", "Procedure")])
async def test_the_public_list_as_xlsx(catalogue: Catalogue, language: str, header: str) -> None:
    code = await catalogue.published(name_vi="Cấp thẻ ABTC", name_en="ABTC card")
    response = await catalogue.client.get(
        "/api/v1/procedures/export", params={"format": "xlsx"}, headers={"Accept-Language": language}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][2] == header
    assert rows[1][1] == code
    assert rows[1][2] == ("Cấp thẻ ABTC" if language == "vi" else "ABTC card")
    fees = rows[1][8]
    assert ("200.000 đồng/hồ sơ" if language == "vi" else "200,000 đồng/hồ sơ") in fees
    workbook.close()


async def test_the_public_list_as_csv_with_filters(catalogue: Catalogue) -> None:
    kept = await catalogue.published(name_vi="Hợp pháp hóa lãnh sự")
    await catalogue.published(applicant_types=["organisation"])
    response = await catalogue.client.get(
        "/api/v1/procedures/export", params={"format": "csv", "applicant_type": "citizen", "q": "ignored"}
    )
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["STT", "Mã TTHC", "Tên thủ tục hành chính"]
    assert [row[1] for row in rows[1:]] == [kept]
    assert rows[1][7] == "Trực tiếp: 10 ngày làm việc; Trực tuyến: 8 ngày làm việc"


async def test_a_bulk_import_leaves_the_search_index_merged_and_searchable(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From BULK_IMPORT changes on, an import merges the search index's pending list and refreshes the
    # planner's statistics (PostgreSQL); two records stand in for the thousands.
    monkeypatch.setattr("procedure_catalog.exchange.service.BULK_IMPORT", 2)
    records = [national_record(), national_record("1.009998", TENTTHC="Cấp thẻ đi lại thử nghiệm")]
    assert (await _import(catalogue, records))["summary"]["created"] == 2
    found = await catalogue.client.get("/api/v1/procedures", params={"q": "the di lai thu nghiem"})
    assert [item["code"] for item in found.json()["items"]] == ["1.009998"]


def _collector_state_when_called(monkeypatch: pytest.MonkeyPatch, method: str) -> list[bool]:
    """Whether the collector ran at each call of ``ExchangeService.<method>``."""
    seen: list[bool] = []
    wrapped = getattr(ExchangeService, method)

    async def watched(self: ExchangeService, *args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return await wrapped(self, *args, **kwargs)

    monkeypatch.setattr(ExchangeService, method, watched)
    return seen


async def test_imports_and_exports_run_with_the_collector_paused(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Their thousands of records would otherwise be walked by every full collection (motcua_kit.collector).
    importing = _collector_state_when_called(monkeypatch, "import_records")
    exporting = _collector_state_when_called(monkeypatch, "versions")
    assert gc.isenabled()
    assert (await _import(catalogue, [national_record()]))["summary"]["created"] == 1
    for export_format in ("national", "xlsx", "csv"):
        response = await catalogue.client.get("/api/v1/procedures/export", params={"format": export_format})
        assert response.status_code == 200
    assert (importing, exporting) == ([False], [False, False, False])
    assert gc.isenabled()
