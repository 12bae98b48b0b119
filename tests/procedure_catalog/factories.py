"""Small builders for catalogue tests: a full procedure record, and a helper that drives the API."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import httpx

from motcua_kit.testing import TokenFactory

_sequence = itertools.count(1)

FIELD = {"code": "NGV-DN", "name_vi": "Ngoại vụ", "name_en": "Foreign affairs"}
AGENCY = {
    "code": "SNGV",
    "name_vi": "Sở Ngoại vụ thành phố Đà Nẵng",
    "name_en": "Da Nang Department of Foreign Affairs",
    "authority_level": "province",
}


def procedure_payload(**overrides: Any) -> dict[str, Any]:
    """A complete, valid record with a fresh code; ``overrides`` replace top-level keys."""
    n = next(_sequence)
    payload: dict[str, Any] = {
        "code": f"9.{n:06d}",
        "name_vi": f"Thủ tục thử nghiệm số {n}",
        "name_en": f"Test procedure {n}",
        "description_vi": "Mô tả thủ tục.",
        "description_en": "What the procedure is for.",
        "field_code": FIELD["code"],
        "agency_code": AGENCY["code"],
        "authority_level": "province",
        "applicant_types": ["citizen", "organisation"],
        "steps": [
            {"title_vi": "Nộp hồ sơ tại Bộ phận Một cửa", "title_en": "Submit the dossier at the one-stop unit"},
            {"title_vi": "Nhận kết quả", "title_en": "Collect the result"},
        ],
        "channels": [
            {
                "channel": "in_person",
                "processing_time": {"value": 10, "unit": "working_days"},
                "fees": [
                    {
                        "amount_vnd": 200000,
                        "unit": "đồng/hồ sơ",
                        "description_vi": "Lệ phí",
                        "description_en": "Fee",
                    }
                ],
            },
            {
                "channel": "online",
                "processing_time": {"value": 8, "unit": "working_days"},
                "fees": [{"amount_vnd": 150000, "unit": "đồng/hồ sơ", "description_vi": "Lệ phí trực tuyến"}],
            },
        ],
        "documents": [
            {
                "name_vi": "Tờ khai",
                "name_en": "Application form",
                "originals": 1,
                "copies": 0,
                "form_template_name": "Mẫu 01",
                "form_template_url": "https://example.gov.vn/mau-01.docx",
            },
            {"name_vi": "Bản sao hộ chiếu", "originals": 0, "copies": 1, "required": False},
        ],
        "results": [{"name_vi": "Văn bản chấp thuận", "name_en": "Letter of approval"}],
        "conditions_vi": "Không",
        "legal_basis": [
            {
                "number": "45/2006/QĐ-TTg",
                "title_vi": "Quyết định ban hành Quy chế cấp và quản lý thẻ ABTC",
                "issuer": "Thủ tướng Chính phủ",
                "issued_on": "2006-02-28",
            }
        ],
        "online_level": "partial",
        "legacy_online_level": 3,
        "one_stop": True,
        "inter_agency": False,
        "internal": False,
    }
    payload.update(overrides)
    return payload


class Catalogue:
    """Drives the catalogue through its API, as an editor would."""

    def __init__(self, client: httpx.AsyncClient, tokens: TokenFactory) -> None:
        self.client = client
        self.editor = tokens.headers("catalog_editor")
        self._decisions = itertools.count(1)

    async def reference_lists(self) -> None:
        field = {k: v for k, v in FIELD.items() if k != "code"}
        agency = {k: v for k, v in AGENCY.items() if k != "code"}
        for path, body in ((f"/api/v1/fields/{FIELD['code']}", field), (f"/api/v1/agencies/{AGENCY['code']}", agency)):
            response = await self.client.put(path, json=body, headers=self.editor)
            assert response.status_code in {200, 201}, response.text

    async def draft(self, **overrides: Any) -> httpx.Response:
        return await self.client.post("/api/v1/procedures", json=procedure_payload(**overrides), headers=self.editor)

    async def announce(
        self,
        *changes: tuple[str, str],
        effective_on: dt.date | str = "2024-01-01",
        number: str | None = None,
        signed_on: str | None = None,
    ) -> httpx.Response:
        effective = effective_on if isinstance(effective_on, str) else effective_on.isoformat()
        body = {
            "number": number or f"{next(self._decisions)}/QĐ-UBND-TEST",
            "issuer": "Chủ tịch UBND thành phố Đà Nẵng",
            "signed_on": signed_on or effective,
            "effective_on": effective,
            "changes": [{"action": action, "procedure_code": code} for action, code in changes],
        }
        return await self.client.post("/api/v1/announcements", json=body, headers=self.editor)

    async def published(self, effective_on: dt.date | str = "2024-01-01", **overrides: Any) -> str:
        """A procedure drafted and published by a decision; returns its code."""
        draft = await self.draft(**overrides)
        assert draft.status_code == 201, draft.text
        code: str = draft.json()["code"]
        announced = await self.announce(("create", code), effective_on=effective_on)
        assert announced.status_code == 201, announced.text
        return code

    async def amend(self, code: str, patch: dict[str, Any], effective_on: dt.date | str) -> httpx.Response:
        opened = await self.client.post(f"/api/v1/procedures/{code}/draft", headers=self.editor)
        assert opened.status_code == 201, opened.text
        edited = await self.client.patch(
            f"/api/v1/procedures/{code}", json=patch, headers={**self.editor, "If-Match": opened.headers["etag"]}
        )
        assert edited.status_code == 200, edited.text
        return await self.announce(("amend", code), effective_on=effective_on)


def national_record(code: str = "1.009999", **overrides: Any) -> dict[str, Any]:
    """A record as the national database sends it: strings for numbers, dd/MM/yyyy dates, no English."""
    record: dict[str, Any] = {
        "MATTHC": code,
        "TENTTHC": "Cấp giấy phép tổ chức sự kiện đối ngoại",
        "LINHVUCTHUCHIEN": [{"MALINHVUC": "NGV-SK", "TENLINHVUC": "Sự kiện đối ngoại"}],
        "COQUANTHUCHIEN": [{"MADONVI": "SNGV-HN", "TENDONVI": "Sở Ngoại vụ Hà Nội"}],
        "CAPTHUCHIEN": [{"CAPTHUCHIEN": "2", "TENCAP": "Cấp Tỉnh"}],
        "DOITUONGTHUCHIEN": [{"MADOITUONG": "5", "TENDOITUONG": "Doanh nghiệp"}],
        "TRINHTUTHUCHIEN": [
            {"TRUONGHOP": "", "TRINHTU": [{"TENTRINHTU": "Nộp hồ sơ"}, {"TENTRINHTU": "Nhận kết quả"}]}
        ],
        "CACHTHUCTHUCHIEN": [
            {
                "KENH": "1",
                "THOIGIAN": [
                    {
                        "THOIGIANGIAIQUYET": "7",
                        "DONVITINH": "Ngày làm việc",
                        "MOTA": "Kể từ ngày nhận đủ hồ sơ",
                        "PHILEPHI": [
                            {"MAPHILEPHI": "LP1", "SOTIEN": "1.200.000", "DONVI": "Đồng/lần", "MOTA": "Lệ phí"}
                        ],
                    }
                ],
            },
            {"KENH": 2, "THOIGIAN": [{"THOIGIANGIAIQUYET": 5, "DONVITINH": "Ngày làm việc", "PHILEPHI": []}]},
        ],
        "THANHPHANHOSO": [
            {"TRUONGHOP": "", "GIAYTO": [{"TENGIAYTO": "Văn bản đề nghị", "SOBANCHINH": "1", "SOBANSAO": "0"}]}
        ],
        "KETQUATHUCHIEN": [{"MAKETQUA": "KQ1", "TENKETQUA": "Giấy phép"}],
        "YEUCAU": "Không",
        "CANCUPHAPLY": [
            {"SOVANBAN": "06/2020/QĐ-TTg", "TENVANBAN": "Quyết định về hội nghị quốc tế", "NGAYBANHANH": "21/02/2020"}
        ],
        "MUCDO": "Một phần",
        "LIENTHONG": False,
        "TRANGTHAI": "1",
    }
    record.update(overrides)
    return record
