"""A dossier as the National Public Service Portal wants it (``contracts/national-portal/*.schema.json``).

Pure functions, from the dossier's current state to the two payloads:

- ``DongBoHoSoMC`` (:func:`dossier_record`): the dossier, upserted by ``MaHoSo``;
- ``CapNhatTienDoHoSoMC`` (:func:`progress_steps`): one entry per step of the timeline.

Field by field, the table is in docs/dossier-api.md ("The national portal mapping"). Dates are
``yyyyMMddHHmmss`` in Asia/Ho_Chi_Minh (empty when not known yet); codes are strings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from dossier_api.models import (
    ApplicantType,
    Channel,
    Dossier,
    DossierStatus,
    ExternalSystem,
    ReturnMethod,
    SupplementRequest,
    TimelineEntry,
)
from motcua_kit.timezone import VIETNAM, to_local

PORTAL_DATE_FORMAT = "%Y%m%d%H%M%S"
MAX_RECORDS_PER_CALL = 100  # both services take at most 100 items per call

# KenhThucHien
CHANNEL_CODE = {Channel.IN_PERSON: "1", Channel.ONLINE: "2", Channel.POSTAL: "3"}
# LoaiDoiTuong
APPLICANT_TYPE_CODE = {ApplicantType.CITIZEN: "1", ApplicantType.ORGANISATION: "2"}
# HinhThuc: how the result goes back (0 at the office or online, 1 by post)
RETURN_METHOD_CODE = {ReturnMethod.IN_PERSON: "0", ReturnMethod.ONLINE: "0", ReturnMethod.POST: "1"}
# LoaiPhiLePhi
FEE, CHARGE = "1", "2"
PAYMENT_METHOD_TEXT = {"online": "Trực tuyến", "cash": "Tiền mặt", "bank_transfer": "Chuyển khoản"}
# The portal stops counting a dossier's processing at these statuses.
_CLOSED = frozenset({DossierStatus.REFUSED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED})

# ChucDanh of the one who acted, by the role they acted in.
ROLE_TITLE = {
    "reception_officer": "Cán bộ tiếp nhận",
    "processing_officer": "Chuyên viên xử lý",
    "leader": "Lãnh đạo",
    "integration": "Hệ thống tích hợp",
    "citizen": "Người nộp hồ sơ",
    "intermediary": "Tổ chức được ủy quyền",
    "admin": "Quản trị hệ thống",
}
# NoiDungXuLy: what the step was, in the portal's language.
ACTION_TEXT = {
    "register": "Nộp hồ sơ",
    "receive": "Tiếp nhận hồ sơ",
    "refuse": "Từ chối tiếp nhận hồ sơ",
    "request_supplement": "Yêu cầu bổ sung hồ sơ",
    "complete_supplement": "Tiếp nhận hồ sơ bổ sung",
    "assign": "Chuyển xử lý",
    "pause": "Tạm dừng xử lý",
    "resume": "Tiếp tục xử lý",
    "transfer": "Chuyển cơ quan phối hợp xử lý",
    "transfer_return": "Cơ quan phối hợp trả kết quả xử lý",
    "reschedule": "Xin lỗi và hẹn lại ngày trả kết quả",
    "request_fees": "Thông báo thực hiện nghĩa vụ tài chính",
    "record_payment": "Đã thực hiện nghĩa vụ tài chính",
    "resolve": "Có kết quả giải quyết",
    "return_result": "Trả kết quả",
    "withdraw": "Rút hồ sơ",
    "stop": "Dừng xử lý hồ sơ",
}


class MappingError(ValueError):
    """The dossier lacks something the portal requires (the sync fails with this message)."""


@dataclass(frozen=True, slots=True)
class DossierState:
    """What the sync reads of one dossier: the dossier, its whole timeline and its supplement requests."""

    dossier: Dossier
    timeline: Sequence[TimelineEntry]
    supplements: Sequence[SupplementRequest]


def portal_date(instant: dt.datetime | None) -> str:
    """``yyyyMMddHHmmss`` in Asia/Ho_Chi_Minh; empty when the moment is not known (yet)."""
    return to_local(instant).strftime(PORTAL_DATE_FORMAT) if instant is not None else ""


def parse_portal_date(text: str) -> dt.datetime:
    """The portal's ``yyyyMMddHHmmss`` (a Vietnam wall-clock time) as an instant in UTC."""
    local = dt.datetime.strptime(text, PORTAL_DATE_FORMAT)  # noqa: DTZ007 - the zone is set on the next line
    return local.replace(tzinfo=VIETNAM).astimezone(dt.UTC)


def portal_code(dossier: Dossier) -> str:
    """MaHoSo: a dossier filed on the portal keeps the portal's code, so its progress reaches the
    portal's record; any other dossier is known there by its own code."""
    if dossier.external_system == ExternalSystem.NATIONAL_PORTAL and dossier.external_reference:
        return dossier.external_reference
    return dossier.code


def fee_kind(description: str) -> str:
    """LoaiPhiLePhi from the fee's name: "lệ phí" (a charge, 2) or "phí" (a fee, 1).

    The catalogue names each fee as the legal text does ("Lệ phí cấp thẻ", "Phí thẩm định ...");
    a name that says neither is taken as a charge, the usual case for an administrative procedure.
    """
    words = description.casefold()
    if "lệ phí" in words:
        return CHARGE
    if "phí" in words:
        return FEE
    return CHARGE


def _actor(entry: TimelineEntry | None) -> str:
    if entry is None:
        return ""
    return entry.actor_name or entry.actor_subject


def _fees(dossier: Dossier) -> list[dict[str, Any]]:
    fees: list[dict[str, Any]] = []
    for fee in dossier.fees or []:
        record: dict[str, Any] = {
            "TenPhiLePhi": str(fee.get("description_vi") or "Lệ phí"),
            "Gia": int(fee.get("amount_vnd") or 0),
            "LoaiPhiLePhi": fee_kind(str(fee.get("description_vi") or "")),
        }
        if dossier.paid_at is not None and dossier.payment_method in PAYMENT_METHOD_TEXT:
            record["HinhThucThu"] = PAYMENT_METHOD_TEXT[dossier.payment_method]
        fees.append(record)
    return fees


def _supplements(state: DossierState) -> list[dict[str, Any]]:
    """Supplements during processing, with the appointment before and after.

    A supplement asked at reception is not listed: the dossier had no appointment yet (the list
    requires the previous one); its missing items reach the portal in the progress step instead.
    """
    code = portal_code(state.dossier)
    requests = [e for e in state.timeline if e.action == "request_supplement"]
    completions = [e for e in state.timeline if e.action == "complete_supplement"]
    records: list[dict[str, Any]] = []
    for number, supplement in enumerate(state.supplements, start=1):
        if supplement.at_reception or supplement.previous_due_at is None:
            continue
        asked = next((e for e in requests if e.at == supplement.requested_at), None)
        received = next((e for e in completions if e.at == supplement.completed_at), None)
        record: dict[str, Any] = {
            "HoSoBoSungId": f"{code}-BS{number}",
            "NguoiYeuCauBoSung": _actor(asked) or "Cán bộ xử lý",
            "NoiDungBoSung": "; ".join(supplement.items) or "Bổ sung hồ sơ",
            "NgayBoSung": portal_date(supplement.requested_at),
            "TrangThaiBoSung": "1" if supplement.completed_at is not None else "0",
            "NgayHenTraTruoc": portal_date(supplement.previous_due_at),
            "NgayHenTraMoi": portal_date(supplement.new_due_at),
        }
        if supplement.completed_at is not None:
            record["NguoiTiepNhanBoSung"] = _actor(received)
            record["NgayTiepNhanBoSung"] = portal_date(supplement.completed_at)
        records.append(record)
    return records


def _processing_ended_at(state: DossierState) -> dt.datetime | None:
    """NgayKetThucXuLy: when the result was decided, or when the dossier was refused, withdrawn or stopped."""
    dossier = state.dossier
    if dossier.resolved_at is not None:
        return dossier.resolved_at
    if dossier.status in _CLOSED:
        closing = [e for e in state.timeline if e.status_after is dossier.status]
        return closing[-1].at if closing else dossier.updated_at
    return None


def dossier_record(state: DossierState, *, agency_name: str) -> dict[str, Any]:
    """One ``HoSo`` of DongBoHoSoMC: the dossier as it is now."""
    dossier = state.dossier
    snapshot = dossier.procedure_snapshot or {}
    if not snapshot.get("field_code"):
        raise MappingError(f"dossier {dossier.code} has no procedure snapshot with a field code (MaLinhVuc)")
    record: dict[str, Any] = {
        "MaHoSo": portal_code(dossier),
        "MaTTHC": dossier.procedure_code,
        "TenTTHC": dossier.procedure_name or str(snapshot.get("name_vi") or dossier.procedure_code),
        "MaLinhVuc": str(snapshot["field_code"]),
        "KenhThucHien": CHANNEL_CODE[dossier.channel],
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": APPLICANT_TYPE_CODE[dossier.applicant_type],
        "TrichYeuHoSo": dossier.summary or "",
        "NgayNopHoSo": portal_date(dossier.submitted_at),
        "NgayTiepNhan": portal_date(dossier.received_at),
        "NgayHenTra": portal_date(dossier.due_at),
        "TrangThaiHoSo": str(dossier.status.portal_code),
        "NgayTra": portal_date(dossier.returned_at),
        "NgayKetThucXuLy": portal_date(_processing_ended_at(state)),
        "DonViXuLy": agency_name,
        "DanhSachLePhi": _fees(dossier),
        "DanhSachHoSoBoSung": _supplements(state),
    }
    if dossier.applicant_id_number:
        record["MaDoiTuong"] = dossier.applicant_id_number
    if dossier.applicant_phone:
        record["SoDienThoai"] = dossier.applicant_phone
    if dossier.applicant_email:
        record["Email"] = dossier.applicant_email
    if dossier.return_method is not None:
        record["HinhThuc"] = RETURN_METHOD_CODE[dossier.return_method]
    if dossier.status in _CLOSED and dossier.closing_reason:
        record["GhiChu"] = dossier.closing_reason
    if dossier.result_number:
        result_date = f" ngày {dossier.result_date:%d/%m/%Y}" if dossier.result_date else ""
        record["DanhSachGiayToKetQua"] = [
            {"TenGiayTo": f"Văn bản kết quả số {dossier.result_number}{result_date}", "GiayToId": dossier.result_number}
        ]
    return record


def _step_content(entry: TimelineEntry) -> str:
    text = ACTION_TEXT.get(entry.action, entry.action)
    details = entry.details or {}
    if entry.action == "request_supplement" and details.get("items"):
        text += ": " + "; ".join(str(item) for item in details["items"])
    elif entry.action == "transfer" and details.get("to_agency"):
        text += f" {details['to_agency']}"
    if entry.note:
        text += f" ({entry.note})"
    return text


def progress_steps(dossier: Dossier, entries: Sequence[TimelineEntry]) -> list[dict[str, Any]]:
    """CapNhatTienDoHoSoMC entries: who, title, when, unit, content, status, step start and legal end."""
    code = portal_code(dossier)
    return [
        {
            "MaHoSo": code,
            "NguoiXuLy": _actor(entry),
            "ChucDanh": ROLE_TITLE.get(entry.actor_role, entry.actor_role),
            "ThoiDiemXuLy": portal_date(entry.at),
            "PhongBanXuLy": entry.actor_unit or "",
            "NoiDungXuLy": _step_content(entry),
            "TrangThai": str(entry.status_after.portal_code),
            "NgayBatDau": portal_date(entry.at),
            "NgayKetThucTheoQuyDinh": portal_date(entry.step_deadline),
        }
        for entry in entries
    ]


def payload_digest(record: dict[str, Any]) -> str:
    """A fingerprint of a record: the same dossier state is not sent twice."""
    return hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()
