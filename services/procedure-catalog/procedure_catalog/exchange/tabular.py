"""The public list of procedures (niêm yết) as a spreadsheet (XLSX) or CSV, in Vietnamese or English."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from procedure_catalog.localisation import Localiser
from procedure_catalog.models import ProcedureVersion, VersionStatus
from procedure_catalog.reference.levels import AUTHORITY_LEVELS

HEADERS = {
    "vi": [
        "STT",
        "Mã TTHC",
        "Tên thủ tục hành chính",
        "Lĩnh vực",
        "Cơ quan thực hiện",
        "Cấp thực hiện",
        "Mức độ dịch vụ công trực tuyến",
        "Cách thức và thời hạn giải quyết",
        "Phí, lệ phí",
        "Căn cứ pháp lý",
        "Hiệu lực từ",
        "Tình trạng",
    ],
    "en": [
        "No.",
        "Code",
        "Procedure",
        "Field",
        "Handling agency",
        "Authority level",
        "Online service level",
        "Channels and processing time",
        "Fees and charges",
        "Legal basis",
        "In force from",
        "Status",
    ],
}
WORDS = {
    "vi": {
        "in_person": "Trực tiếp",
        "online": "Trực tuyến",
        "postal": "Bưu chính công ích",
        "working_days": "ngày làm việc",
        "working_hours": "giờ làm việc",
        "full": "Toàn trình",
        "partial": "Một phần",
        "none": "Không",
        "free": "Không thu phí",
        "published": "Đang có hiệu lực",
        "abolished": "Đã bãi bỏ",
        "legacy": "mức độ",
        "currency": "đồng",
    },
    "en": {
        "in_person": "In person",
        "online": "Online",
        "postal": "Public postal service",
        "working_days": "working days",
        "working_hours": "working hours",
        "full": "Full",
        "partial": "Partial",
        "none": "None",
        "free": "Free of charge",
        "published": "In force",
        "abolished": "Abolished",
        "legacy": "level",
        "currency": "VND",
    },
}


def _amount(value: int, language: str) -> str:
    grouped = f"{value:,}"
    return grouped.replace(",", ".") if language == "vi" else grouped


def public_rows(versions: Sequence[ProcedureVersion], localiser: Localiser) -> list[list[Any]]:
    """One row per procedure: what a one-stop unit pins on its wall."""
    language = "en" if localiser.language == "en" else "vi"
    words = WORDS[language]
    rows: list[list[Any]] = []
    for number, version in enumerate(versions, start=1):
        content = version.content
        channels = "; ".join(
            f"{words[t['channel']]}: {_duration(t['processing_time']['value'])} {words[t['processing_time']['unit']]}"
            for t in content["channels"]
        )
        fees = "; ".join(
            f"{words[t['channel']]}: "
            + (
                ", ".join(
                    f"{_amount(f['amount_vnd'], language)} {f.get('unit') or words['currency']}"
                    f" ({localiser.text(f['description_vi'], f.get('description_en'))})"
                    for f in t["fees"]
                )
                or words["free"]
            )
            for t in content["channels"]
        )
        online = words[version.online_level.value]
        if version.legacy_online_level:
            online += f" ({words['legacy']} {version.legacy_online_level})"
        _, level_vi, level_en = AUTHORITY_LEVELS[version.authority_level]
        rows.append(
            [
                number,
                version.code,
                localiser.text(version.name_vi, version.name_en),
                localiser.text(version.field_name_vi, version.field_name_en),
                localiser.text(version.agency_name_vi, version.agency_name_en),
                localiser.text(level_vi, level_en),
                online,
                channels,
                fees,
                "; ".join(law["number"] for law in content.get("legal_basis", [])),
                version.valid_from.strftime("%d/%m/%Y"),
                words[VersionStatus(version.status).value],
            ]
        )
    return rows


def _duration(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def headers_for(localiser: Localiser) -> list[str]:
    return HEADERS["en" if localiser.language == "en" else "vi"]


def to_csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the Vietnamese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top", "border": 1})
    widths = [6, 14, 60, 24, 30, 14, 18, 40, 40, 30, 12, 16]
    for column, (header, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.set_column(column, column, width)
        sheet.write(0, column, header, bold)
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            sheet.write(row_number, column, value, wrap)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    workbook.close()
    return buffer.getvalue()
