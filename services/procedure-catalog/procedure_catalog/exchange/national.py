"""The national record shape (CSDL quốc gia về TTHC) to and from the catalogue's record.

Field names follow the procedure records public one-stop systems exchange with the national
database (MATTHC, TENTTHC, LINHVUCTHUCHIEN, COQUANTHUCHIEN, CAPTHUCHIEN, DOITUONGTHUCHIEN,
TRINHTUTHUCHIEN, CACHTHUCTHUCHIEN with THOIGIAN and PHILEPHI, THANHPHANHOSO with GIAYTO,
KETQUATHUCHIEN, YEUCAU, CANCUPHAPLY, MUCDO, LIENTHONG, TRANGTHAI). The national record has no
English and no flags for one-stop, internal or required papers; this catalogue adds them as extra
keys (`*_EN`, `MOTCUA`, `NOIBO`, `BATBUOC`, `MUCDOCU`, `BANDICH`) that other systems ignore, so that
an export imports back unchanged. Numbers are accepted as JSON numbers or strings, dates as
`dd/MM/yyyy` or ISO, as the national data carries both. See docs/procedure-catalog.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from procedure_catalog.models import ApplicantType, AuthorityLevel, Channel, OnlineLevel, TimeUnit, VersionStatus
from procedure_catalog.procedures.schemas import ProcedureContent
from procedure_catalog.procedures.search import fold
from procedure_catalog.reference.levels import AUTHORITY_LEVELS, LEVEL_BY_NATIONAL_CODE

CHANNEL_CODES = {Channel.IN_PERSON: "1", Channel.ONLINE: "2", Channel.POSTAL: "3"}
CHANNEL_BY_CODE = {code: channel for channel, code in CHANNEL_CODES.items()}
TIME_UNITS = {TimeUnit.WORKING_DAYS: "Ngày làm việc", TimeUnit.WORKING_HOURS: "Giờ làm việc"}
ONLINE_LEVELS = {OnlineLevel.FULL: "Toàn trình", OnlineLevel.PARTIAL: "Một phần", OnlineLevel.NONE: ""}
APPLICANTS = {ApplicantType.CITIZEN: ("CONGDAN", "Công dân"), ApplicantType.ORGANISATION: ("TOCHUC", "Tổ chức")}
STATUS_CODES = {VersionStatus.PUBLISHED: "1", VersionStatus.ABOLISHED: "0"}

# Where each part of our record comes from, to name national fields in rejection reasons.
NATIONAL_NAMES = {
    "name_vi": "TENTTHC",
    "name_en": "TENTTHC_EN",
    "description_vi": "MOTA",
    "field_code": "LINHVUCTHUCHIEN",
    "agency_code": "COQUANTHUCHIEN",
    "authority_level": "CAPTHUCHIEN",
    "applicant_types": "DOITUONGTHUCHIEN",
    "steps": "TRINHTUTHUCHIEN",
    "channels": "CACHTHUCTHUCHIEN",
    "documents": "THANHPHANHOSO",
    "results": "KETQUATHUCHIEN",
    "conditions_vi": "YEUCAU",
    "legal_basis": "CANCUPHAPLY",
    "online_level": "MUCDO",
    "legacy_online_level": "MUCDOCU",
    "translations": "BANDICH",
}


class RecordRejected(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class NationalRecord:
    """One national record, understood."""

    code: str
    status: VersionStatus
    content: ProcedureContent
    field_name_vi: str
    agency_name_vi: str
    reasons: list[str] = field(default_factory=list)


# --- export -----------------------------------------------------------------------------------------


def _day(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def to_national(
    code: str,
    status: VersionStatus,
    content: dict[str, Any],
    *,
    field_name_vi: str,
    agency_name_vi: str,
    version: int,
    valid_from: dt.date,
) -> dict[str, Any]:
    """A stored record as a national record."""
    record = ProcedureContent.model_validate(content)
    level_code, level_vi, _ = AUTHORITY_LEVELS[record.authority_level]
    return {
        "MATTHC": code,
        "TENTTHC": record.name_vi,
        "TENTTHC_EN": record.name_en,
        "MOTA": record.description_vi,
        "MOTA_EN": record.description_en,
        "LINHVUCTHUCHIEN": [{"MALINHVUC": record.field_code, "TENLINHVUC": field_name_vi}],
        "COQUANTHUCHIEN": [{"MADONVI": record.agency_code, "TENDONVI": agency_name_vi}],
        "CAPTHUCHIEN": [{"CAPTHUCHIEN": level_code, "TENCAP": level_vi}],
        "DOITUONGTHUCHIEN": [
            {"MADOITUONG": APPLICANTS[kind][0], "TENDOITUONG": APPLICANTS[kind][1]} for kind in record.applicant_types
        ],
        "TRINHTUTHUCHIEN": [
            {
                "TRUONGHOP": "",
                "TRINHTU": [{"TENTRINHTU": s.title_vi, "TENTRINHTU_EN": s.title_en} for s in record.steps],
            }
        ],
        "CACHTHUCTHUCHIEN": [
            {
                "KENH": CHANNEL_CODES[terms.channel],
                "THOIGIAN": [
                    {
                        "THOIGIANGIAIQUYET": _number(terms.processing_time.value),
                        "DONVITINH": TIME_UNITS[terms.processing_time.unit],
                        "MOTA": terms.processing_time_note_vi,
                        "MOTA_EN": terms.processing_time_note_en,
                        "PHILEPHI": [
                            {
                                "MAPHILEPHI": "",
                                "SOTIEN": str(fee.amount_vnd),
                                "DONVI": fee.unit,
                                "MOTA": fee.description_vi,
                                "MOTA_EN": fee.description_en,
                            }
                            for fee in terms.fees
                        ],
                    }
                ],
            }
            for terms in record.channels
        ],
        "THANHPHANHOSO": [
            {
                "TRUONGHOP": "",
                "GIAYTO": [
                    {
                        "MAGIAYTO": "",
                        "TENGIAYTO": d.name_vi,
                        "TENGIAYTO_EN": d.name_en,
                        "SOBANCHINH": str(d.originals),
                        "SOBANSAO": str(d.copies),
                        "TENMAUDON": d.form_template_name,
                        "URL": d.form_template_url,
                        "BATBUOC": d.required,
                    }
                    for d in record.documents
                ],
            }
        ],
        "KETQUATHUCHIEN": [{"MAKETQUA": "", "TENKETQUA": r.name_vi, "TENKETQUA_EN": r.name_en} for r in record.results],
        "YEUCAU": record.conditions_vi,
        "YEUCAU_EN": record.conditions_en,
        "CANCUPHAPLY": [
            {
                "SOVANBAN": law.number,
                "TENVANBAN": law.title_vi,
                "TENVANBAN_EN": law.title_en,
                "COQUANBANHANH": law.issuer,
                "NGAYBANHANH": _day(law.issued_on),
            }
            for law in record.legal_basis
        ],
        "MUCDO": ONLINE_LEVELS[record.online_level],
        "MUCDOCU": str(record.legacy_online_level) if record.legacy_online_level else "",
        "LIENTHONG": record.inter_agency,
        "MOTCUA": record.one_stop,
        "NOIBO": record.internal,
        "BANDICH": {tag: t.model_dump(exclude_none=True) for tag, t in record.translations.items()},
        "TRANGTHAI": STATUS_CODES[status],
        "PHIENBAN": version,
        "NGAYHIEULUC": _day(valid_from),
    }


# --- import -----------------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(value)
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value.strip() or None


def _items(record: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise RecordRejected([f"{key}: expected a list of objects"])
    return value


def _flag(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    folded = fold(str(value))
    if folded in {"1", "true", "co"}:
        return True
    if folded in {"0", "false", "khong"}:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


_AMOUNT = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def _amount(value: Any) -> int:
    """`200000`, `200.000`, `200,000` or a JSON number; never negative or fractional."""
    if isinstance(value, bool):
        raise ValueError("not an amount")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"an amount in đồng has no fraction: {value}")
        return int(value)
    text = _text(value) or "0"
    text = text.replace(" ", "")
    if _AMOUNT.match(text):
        text = text.replace(".", "").replace(",", "")
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"not an amount in đồng: {value!r}")
    return int(text)


def _duration(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("not a duration")
    if isinstance(value, (int, float)):
        return float(value)
    text = (_text(value) or "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"not a number: {value!r}") from None


_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _date(value: Any) -> str | None:
    """`21/02/2020` (the national form) or `2020-02-21`, as an ISO day."""
    text = _text(value)
    if text is None:
        return None
    if match := _DAY_FIRST.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DAY.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(f"not a date (dd/MM/yyyy): {value!r}")
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"not a date (dd/MM/yyyy): {value!r}") from None


def _time_unit(value: Any) -> TimeUnit:
    folded = fold(_text(value) or "")
    if folded in {"ngay lam viec", "working days", "working_days"}:
        return TimeUnit.WORKING_DAYS
    if folded in {"gio lam viec", "gio", "working hours", "working_hours"}:
        return TimeUnit.WORKING_HOURS
    raise ValueError(f"unsupported time unit {value!r}: the catalogue counts working days or working hours")


def _applicant(entry: dict[str, Any]) -> ApplicantType:
    code = _text(entry.get("MADOITUONG"))
    for kind, (known, _) in APPLICANTS.items():
        if code == known:
            return kind
    name = fold(_text(entry.get("TENDOITUONG")) or "")
    if any(word in name for word in ("to chuc", "doanh nghiep", "hop tac xa", "co quan")):
        return ApplicantType.ORGANISATION
    if any(word in name for word in ("cong dan", "ca nhan", "nguoi")):
        return ApplicantType.CITIZEN
    raise ValueError(f"unknown applicant type {code or name!r}")


def _online_levels(record: dict[str, Any]) -> tuple[OnlineLevel, int | None]:
    """MUCDO is either today's level (text) or, in older records, the legacy level 2-4."""
    mucdo = fold(_text(record.get("MUCDO")) or "")
    legacy_text = _text(record.get("MUCDOCU"))
    legacy = int(legacy_text) if legacy_text else None
    if mucdo.isdigit():
        legacy = legacy or int(mucdo)
        # The 2022 reform mapped level 4 to full and level 3 to partial online service.
        return {4: OnlineLevel.FULL, 3: OnlineLevel.PARTIAL}.get(int(mucdo), OnlineLevel.NONE), legacy
    levels = {"toan trinh": OnlineLevel.FULL, "full": OnlineLevel.FULL, "mot phan": OnlineLevel.PARTIAL}
    levels["partial"] = OnlineLevel.PARTIAL
    if mucdo in levels:
        return levels[mucdo], legacy
    if mucdo in {"", "khong", "none"}:
        return OnlineLevel.NONE, legacy
    raise ValueError(f"unknown online level {record.get('MUCDO')!r}")


def _first(record: dict[str, Any], key: str) -> dict[str, Any]:
    items = _items(record, key)
    if not items:
        raise RecordRejected([f"{key}: required"])
    return items[0]


def from_national(record: Any) -> NationalRecord:  # noqa: PLR0915 - one national field after another
    """Understand one national record, or raise :class:`RecordRejected` listing every reason."""
    if not isinstance(record, dict):
        raise RecordRejected(["a record is a JSON object"])
    reasons: list[str] = []

    def attempt(key: str, parse: Any) -> Any:
        try:
            return parse()
        except RecordRejected as rejected:
            reasons.extend(rejected.reasons)
        except (ValueError, TypeError, KeyError) as error:
            reasons.append(f"{key}: {error}")
        return None

    code = attempt("MATTHC", lambda: _text(record.get("MATTHC") or record.get("MaTTHC")))
    if not code:
        reasons.append("MATTHC: required")
    status_code = attempt("TRANGTHAI", lambda: _text(record.get("TRANGTHAI")) or "1")
    status = {v: k for k, v in STATUS_CODES.items()}.get(str(status_code))
    if status is None and status_code is not None:
        reasons.append(f"TRANGTHAI: {status_code!r} is neither 1 (in force) nor 0 (abolished)")
    field_entry = attempt("LINHVUCTHUCHIEN", lambda: _first(record, "LINHVUCTHUCHIEN")) or {}
    agency_entry = attempt("COQUANTHUCHIEN", lambda: _first(record, "COQUANTHUCHIEN")) or {}
    level_entry = attempt("CAPTHUCHIEN", lambda: _first(record, "CAPTHUCHIEN")) or {}
    level_code = attempt("CAPTHUCHIEN", lambda: _text(level_entry.get("CAPTHUCHIEN")))
    authority_level: AuthorityLevel | None = LEVEL_BY_NATIONAL_CODE.get(level_code or "")
    if level_entry and authority_level is None:
        reasons.append(f"CAPTHUCHIEN: unknown level {level_code!r} (1 ministry, 2 province, 3 district, 4 commune)")
    applicants = attempt(
        "DOITUONGTHUCHIEN",
        lambda: list(dict.fromkeys(_applicant(e) for e in _items(record, "DOITUONGTHUCHIEN"))),
    )
    steps = attempt(
        "TRINHTUTHUCHIEN",
        lambda: [
            {"title_vi": _text(step.get("TENTRINHTU")), "title_en": _text(step.get("TENTRINHTU_EN"))}
            for case in _items(record, "TRINHTUTHUCHIEN")
            for step in _items(case, "TRINHTU")
        ],
    )
    channels = []
    for index, way in enumerate(attempt("CACHTHUCTHUCHIEN", lambda: _items(record, "CACHTHUCTHUCHIEN")) or []):
        where = f"CACHTHUCTHUCHIEN[{index}]"
        channel = CHANNEL_BY_CODE.get(str(attempt(f"{where}.KENH", lambda way=way: _text(way.get("KENH")))))
        if channel is None:
            reasons.append(f"{where}.KENH: expected 1 (in person), 2 (online) or 3 (postal)")
            continue
        times = attempt(f"{where}.THOIGIAN", lambda way=way: _items(way, "THOIGIAN")) or []
        if not times:
            reasons.append(f"{where}.THOIGIAN: required")
            continue
        # Several entries (one per case) are reduced to the first for the time; every fee is kept.
        first = times[0]
        fees = attempt(
            f"{where}.THOIGIAN.PHILEPHI",
            lambda times=times: [
                {
                    "amount_vnd": _amount(fee.get("SOTIEN")),
                    "unit": _text(fee.get("DONVI")),
                    "description_vi": _text(fee.get("MOTA")) or _text(fee.get("TENPHILEPHI")) or "Phí, lệ phí",
                    "description_en": _text(fee.get("MOTA_EN")),
                }
                for entry in times
                for fee in _items(entry, "PHILEPHI")
            ],
        )
        value = attempt(
            f"{where}.THOIGIAN[0].THOIGIANGIAIQUYET", lambda first=first: _duration(first.get("THOIGIANGIAIQUYET"))
        )
        unit = attempt(f"{where}.THOIGIAN[0].DONVITINH", lambda first=first: _time_unit(first.get("DONVITINH")))
        channels.append(
            {
                "channel": channel,
                "processing_time": {"value": value, "unit": unit},
                "processing_time_note_vi": attempt(f"{where}.MOTA", lambda first=first: _text(first.get("MOTA"))),
                "processing_time_note_en": attempt(f"{where}.MOTA_EN", lambda first=first: _text(first.get("MOTA_EN"))),
                "fees": fees or [],
            }
        )
    documents = attempt(
        "THANHPHANHOSO",
        lambda: [
            {
                "name_vi": _text(paper.get("TENGIAYTO")),
                "name_en": _text(paper.get("TENGIAYTO_EN")),
                "originals": int(_duration(paper.get("SOBANCHINH") or 0)),
                "copies": int(_duration(paper.get("SOBANSAO") or 0)),
                "required": _flag(paper.get("BATBUOC"), default=True),
                "form_template_name": _text(paper.get("TENMAUDON")),
                "form_template_url": _text(paper.get("URL")),
            }
            for case in _items(record, "THANHPHANHOSO")
            for paper in _items(case, "GIAYTO")
        ],
    )
    results = attempt(
        "KETQUATHUCHIEN",
        lambda: [
            {"name_vi": _text(r.get("TENKETQUA")), "name_en": _text(r.get("TENKETQUA_EN"))}
            for r in _items(record, "KETQUATHUCHIEN")
        ],
    )
    legal_basis = attempt(
        "CANCUPHAPLY",
        lambda: [
            {
                "number": _text(law.get("SOVANBAN")),
                "title_vi": _text(law.get("TENVANBAN")),
                "title_en": _text(law.get("TENVANBAN_EN")),
                "issuer": _text(law.get("COQUANBANHANH")),
                "issued_on": _date(law.get("NGAYBANHANH")),
            }
            for law in _items(record, "CANCUPHAPLY")
        ],
    )
    levels = attempt("MUCDO", lambda: _online_levels(record))
    translations = record.get("BANDICH") or {}
    data = {
        "name_vi": attempt("TENTTHC", lambda: _text(record.get("TENTTHC"))),
        "name_en": attempt("TENTTHC_EN", lambda: _text(record.get("TENTTHC_EN"))),
        "description_vi": attempt("MOTA", lambda: _text(record.get("MOTA"))),
        "description_en": attempt("MOTA_EN", lambda: _text(record.get("MOTA_EN"))),
        "field_code": attempt("LINHVUCTHUCHIEN", lambda: _text(field_entry.get("MALINHVUC"))),
        "agency_code": attempt("COQUANTHUCHIEN", lambda: _text(agency_entry.get("MADONVI"))),
        "authority_level": authority_level,
        "applicant_types": applicants,
        "steps": steps or [],
        "channels": channels,
        "documents": documents or [],
        "results": results or [],
        "conditions_vi": attempt("YEUCAU", lambda: _text(record.get("YEUCAU"))),
        "conditions_en": attempt("YEUCAU_EN", lambda: _text(record.get("YEUCAU_EN"))),
        "legal_basis": legal_basis or [],
        "online_level": levels[0] if levels else None,
        "legacy_online_level": levels[1] if levels else None,
        "one_stop": attempt("MOTCUA", lambda: _flag(record.get("MOTCUA"), default=True)),
        "inter_agency": attempt("LIENTHONG", lambda: _flag(record.get("LIENTHONG"), default=False)),
        "internal": attempt("NOIBO", lambda: _flag(record.get("NOIBO"), default=False)),
        "translations": translations,
    }
    try:
        content = ProcedureContent.model_validate(data)
    except ValidationError as error:
        # Every fault at once, but a national field already reported is not reported again.
        reported = {reason.split(":", 1)[0].split("[", 1)[0].split(".", 1)[0] for reason in reasons}
        more = [_reason(e) for e in error.errors(include_url=False)]
        reasons += [r for r in more if r.split(":", 1)[0].split(".", 1)[0] not in reported]
        raise RecordRejected(reasons) from error
    if reasons:
        raise RecordRejected(reasons)
    assert code is not None
    assert status is not None
    return NationalRecord(
        code=code,
        status=status,
        content=content,
        field_name_vi=_text(field_entry.get("TENLINHVUC")) or content.field_code,
        agency_name_vi=_text(agency_entry.get("TENDONVI")) or content.agency_code,
    )


def _reason(error: Any) -> str:
    location = [str(part) for part in error.get("loc", ())]
    if location:
        location[0] = NATIONAL_NAMES.get(location[0], location[0])
    return f"{'.'.join(location) or 'record'}: {str(error.get('msg', 'invalid')).removeprefix('Value error, ')}"
