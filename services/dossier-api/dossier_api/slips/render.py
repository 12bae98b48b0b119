"""The printed slips of the one-stop unit, as A5 PDFs generated from data (domain brief, "Printed slips").

The five kinds follow the forms annexed to Circular 01/2018/TT-VPCP (Mẫu số 01 to 05): receipt and
appointment, supplement request, refusal, apology and new appointment, process-control slip.
Circular 03/2025/TT-VPCP (guiding Decree 118/2025/NĐ-CP, in force from 15 September 2025) replaced
that annex; as far as we could check, it keeps forms 01-03 and the process-control slip (now
Mẫu số 06) and turns the apology into "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết".
We could not read the new forms' full text, so the layout below is the 2018 one.

Each slip carries the national header, the title, the dossier code, the form's lines, a QR code of the
public lookup URL (with the URL and codes in text for those who type them) and the signature block.

Personal data: the slip is handed to the applicant, so it shows the applicant's name, and nothing else
about anyone: the input classes have no field for identity numbers, phones, addresses or other
dossiers, even though the 2018 forms have lines for the applicant's address, phone and e-mail (a lost
slip must not leak them; the dossier code and the lookup identify the dossier).

Times are instants with an offset and are printed in Vietnam time; a naive time is refused.
``render_slip`` raises ``ValueError`` (or ``TypeError``) for data it cannot print; the inputs are
validated when the dataclasses are built.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, overload

from dossier_api.slips.layout import Signature, SlipDocument, local_time, vietnamese_date, vietnamese_time

__all__ = [
    "Agency",
    "ApologySlip",
    "ProcessControlSlip",
    "ProcessStep",
    "ReceiptSlip",
    "RefusalSlip",
    "SlipData",
    "SlipKind",
    "SubmittedDocument",
    "SupplementRequestSlip",
    "render_slip",
]

MAX_TEXT = 2000
MAX_ITEMS = 300
MAX_URL = 1000

TIMELINESS_WORDS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


class SlipKind(StrEnum):
    RECEIPT = "receipt"
    SUPPLEMENT_REQUEST = "supplement_request"
    REFUSAL = "refusal"
    APOLOGY = "apology"
    PROCESS_CONTROL = "process_control"


def _text(value: object, name: str, *, required: bool = True, limit: int = MAX_TEXT) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    if required and not value.strip():
        raise ValueError(f"{name} must not be empty")
    if len(value) > limit:
        raise ValueError(f"{name} is longer than {limit} characters")


def _instant(value: object, name: str, *, required: bool = True) -> None:
    if value is None and not required:
        return
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime")
    local_time(value)


def _items(value: object, name: str, *, required: bool) -> tuple[object, ...]:
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a sequence")
    items = tuple(value)
    if required and not items:
        raise ValueError(f"{name} must list at least one item")
    if len(items) > MAX_ITEMS:
        raise ValueError(f"{name} has more than {MAX_ITEMS} items")
    return items


@dataclass(frozen=True, kw_only=True, slots=True)
class Agency:
    """The agency issuing the slip, as its header reads."""

    name: str  # "Sở Ngoại vụ thành phố Đà Nẵng"
    place: str  # the locality of the date line: "Đà Nẵng"
    parent: str | None = None  # the governing body: "Ủy ban nhân dân thành phố Đà Nẵng"
    unit: str = "Bộ phận Tiếp nhận và Trả kết quả"
    phone: str | None = None  # the unit's public phone, printed for guidance

    def __post_init__(self) -> None:
        _text(self.name, "agency name", limit=300)
        _text(self.place, "agency place", limit=100)
        _text(self.parent, "parent agency", required=False, limit=300)
        _text(self.unit, "agency unit", limit=300)
        _text(self.phone, "agency phone", required=False, limit=50)


@dataclass(frozen=True, kw_only=True, slots=True)
class SubmittedDocument:
    """One component of the dossier as submitted: its name, originals and copies."""

    name: str
    originals: int = 0
    copies: int = 0

    def __post_init__(self) -> None:
        _text(self.name, "document name")
        for name, value in (("originals", self.originals), ("copies", self.copies)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 999:
                raise ValueError(f"document {name} must be a whole number from 0 to 999")


@dataclass(frozen=True, kw_only=True)
class SlipData:
    """What every slip prints: who issues it, for which dossier, whose, where to look it up, when."""

    agency: Agency
    dossier_code: str
    procedure_name: str
    applicant_name: str
    lookup_url: str
    issued_at: dt.datetime
    officer_name: str  # who receives, guides or signs

    def __post_init__(self) -> None:
        if not isinstance(self.agency, Agency):
            raise TypeError("agency must be an Agency")
        _text(self.dossier_code, "dossier code", limit=64)
        _text(self.procedure_name, "procedure name")
        _text(self.applicant_name, "applicant name", limit=300)
        _text(self.lookup_url, "lookup URL", limit=MAX_URL)
        if not self.lookup_url.startswith(("https://", "http://")):
            raise ValueError("lookup URL must be an http(s) URL")
        _instant(self.issued_at, "issued_at")
        _text(self.officer_name, "officer name", limit=300)


@dataclass(frozen=True, kw_only=True)
class ReceiptSlip(SlipData):
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu số 01)."""

    documents: tuple[SubmittedDocument, ...]
    processing_time: str  # as the catalogue states it: "15 ngày làm việc"
    received_at: dt.datetime
    due_at: dt.datetime
    result_delivery: str  # "Bộ phận Tiếp nhận và Trả kết quả", "Dịch vụ bưu chính công ích", "Trực tuyến"
    dossier_sets: int = 1
    intermediary_name: str | None = None  # the organisation that filed for the applicant
    tracking_secret: str | None = None  # printed for the public lookup; the slip is the applicant's own

    def __post_init__(self) -> None:
        super().__post_init__()
        documents = _items(self.documents, "documents", required=False)
        if not all(isinstance(document, SubmittedDocument) for document in documents):
            raise TypeError("documents must be SubmittedDocument items")
        object.__setattr__(self, "documents", documents)
        _text(self.processing_time, "processing time", limit=200)
        _instant(self.received_at, "received_at")
        _instant(self.due_at, "due_at")
        if self.due_at < self.received_at:
            raise ValueError("due_at cannot be before received_at")
        _text(self.result_delivery, "result delivery", limit=300)
        if (
            isinstance(self.dossier_sets, bool)
            or not isinstance(self.dossier_sets, int)
            or not 1 <= self.dossier_sets <= 99
        ):
            raise ValueError("dossier sets must be a whole number from 1 to 99")
        _text(self.intermediary_name, "intermediary name", required=False, limit=300)
        _text(self.tracking_secret, "tracking secret", required=False, limit=64)


@dataclass(frozen=True, kw_only=True)
class SupplementRequestSlip(SlipData):
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu số 02): every missing item, once, in full."""

    missing_items: tuple[str, ...]
    reason: str | None = None
    received_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        items = _items(self.missing_items, "missing items", required=True)
        for item in items:
            _text(item, "missing item")
        object.__setattr__(self, "missing_items", items)
        _text(self.reason, "reason", required=False)
        _instant(self.received_at, "received_at", required=False)


@dataclass(frozen=True, kw_only=True)
class RefusalSlip(SlipData):
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu số 03): the written reasons."""

    reasons: tuple[str, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        reasons = _items(self.reasons, "reasons", required=True)
        for reason in reasons:
            _text(reason, "reason")
        object.__setattr__(self, "reasons", reasons)


@dataclass(frozen=True, kw_only=True)
class ApologySlip(SlipData):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu số 04), signed by the head of the agency."""

    received_at: dt.datetime
    due_at: dt.datetime
    new_due_at: dt.datetime
    reason: str
    signer_title: str = "Thủ trưởng cơ quan"

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("received_at", "due_at", "new_due_at"):
            _instant(getattr(self, name), name)
        if self.new_due_at <= self.due_at:
            raise ValueError("the new appointment must come after the original one")
        _text(self.reason, "reason")
        _text(self.signer_title, "signer title", limit=200)


@dataclass(frozen=True, kw_only=True, slots=True)
class ProcessStep:
    """One hand-over of the dossier: what was done, by whom, in which unit, when, by when, with what result."""

    action: str  # "Tiếp nhận hồ sơ", "Chuyển phòng chuyên môn", "Thẩm định", ...
    actor: str
    unit: str
    at: dt.datetime
    deadline: dt.datetime | None = None
    result: str | None = None  # "early" / "on_time" / "late" print as Trước hạn / Đúng hạn / Quá hạn

    def __post_init__(self) -> None:
        _text(self.action, "step action", limit=500)
        _text(self.actor, "step actor", limit=300)
        _text(self.unit, "step unit", limit=300)
        _instant(self.at, "step time")
        _instant(self.deadline, "step deadline", required=False)
        _text(self.result, "step result", required=False, limit=200)


@dataclass(frozen=True, kw_only=True)
class ProcessControlSlip(SlipData):
    """Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu số 05): the dossier's hand-overs, step by step."""

    received_at: dt.datetime
    due_at: dt.datetime
    processing_unit: str
    steps: tuple[ProcessStep, ...]
    coordinating_units: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        _instant(self.received_at, "received_at")
        _instant(self.due_at, "due_at")
        _text(self.processing_unit, "processing unit", limit=300)
        steps = _items(self.steps, "steps", required=False)
        if not all(isinstance(step, ProcessStep) for step in steps):
            raise TypeError("steps must be ProcessStep items")
        object.__setattr__(self, "steps", steps)
        units = _items(self.coordinating_units, "coordinating units", required=False)
        for unit in units:
            _text(unit, "coordinating unit", limit=300)
        object.__setattr__(self, "coordinating_units", units)


SLIP_TITLES = {
    SlipKind.RECEIPT: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    SlipKind.SUPPLEMENT_REQUEST: "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    SlipKind.REFUSAL: "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    SlipKind.APOLOGY: "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    SlipKind.PROCESS_CONTROL: "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
}
SLIP_DATA: dict[SlipKind, type[SlipData]] = {
    SlipKind.RECEIPT: ReceiptSlip,
    SlipKind.SUPPLEMENT_REQUEST: SupplementRequestSlip,
    SlipKind.REFUSAL: RefusalSlip,
    SlipKind.APOLOGY: ApologySlip,
    SlipKind.PROCESS_CONTROL: ProcessControlSlip,
}


@overload
def render_slip(kind: Literal[SlipKind.RECEIPT], data: ReceiptSlip) -> bytes: ...
@overload
def render_slip(kind: Literal[SlipKind.SUPPLEMENT_REQUEST], data: SupplementRequestSlip) -> bytes: ...
@overload
def render_slip(kind: Literal[SlipKind.REFUSAL], data: RefusalSlip) -> bytes: ...
@overload
def render_slip(kind: Literal[SlipKind.APOLOGY], data: ApologySlip) -> bytes: ...
@overload
def render_slip(kind: Literal[SlipKind.PROCESS_CONTROL], data: ProcessControlSlip) -> bytes: ...
@overload
def render_slip(kind: SlipKind, data: SlipData) -> bytes: ...
def render_slip(kind: SlipKind, data: SlipData) -> bytes:
    """The PDF (A5) of slip ``kind`` for ``data``, which must be that kind's dataclass."""
    kind = SlipKind(kind)
    expected = SLIP_DATA[kind]
    if type(data) is not expected:
        raise TypeError(f"a {kind.value} slip takes {expected.__name__}, not {type(data).__name__}")
    title = SLIP_TITLES[kind]
    pdf = SlipDocument(title=title, code=data.dossier_code, author=data.agency.name, created_at=data.issued_at)
    agency = data.agency
    pdf.national_header(
        parent=agency.parent, agency=agency.name, unit=agency.unit, place=agency.place, issued_at=data.issued_at
    )
    pdf.title_block(title, code=data.dossier_code)
    if isinstance(data, ReceiptSlip):
        _receipt(pdf, data)
    elif isinstance(data, SupplementRequestSlip):
        _supplement_request(pdf, data)
    elif isinstance(data, RefusalSlip):
        _refusal(pdf, data)
    elif isinstance(data, ApologySlip):
        _apology(pdf, data)
    elif isinstance(data, ProcessControlSlip):
        _process_control(pdf, data)
    return bytes(pdf.output())


def _receipt(pdf: SlipDocument, data: ReceiptSlip) -> None:
    pdf.field(f"{data.agency.unit}:", data.agency.name)
    pdf.field("Tiếp nhận hồ sơ của:", data.applicant_name)
    if data.intermediary_name:
        pdf.field("Tổ chức nộp thay:", data.intermediary_name)
    pdf.field("Nội dung yêu cầu giải quyết:", data.procedure_name)
    pdf.field("1. Thành phần hồ sơ nộp gồm:", "" if data.documents else "(không có)")
    pdf.numbered([_document_line(document) for document in data.documents])
    pdf.field("2. Số lượng hồ sơ:", f"{data.dossier_sets:02d} (bộ)")
    pdf.field("3. Thời gian giải quyết hồ sơ theo quy định:", data.processing_time)
    pdf.field("4. Thời gian nhận hồ sơ:", vietnamese_time(data.received_at))
    pdf.field("5. Thời gian trả kết quả giải quyết hồ sơ:", vietnamese_time(data.due_at))
    pdf.field("6. Đăng ký nhận kết quả tại:", data.result_delivery)
    pdf.lookup_block(data.lookup_url, code=data.dossier_code, secret=data.tracking_secret)
    submitter = data.intermediary_name or data.applicant_name
    pdf.signatures(Signature("Người nộp hồ sơ", submitter), Signature("Người tiếp nhận hồ sơ", data.officer_name))


def _supplement_request(pdf: SlipDocument, data: SupplementRequestSlip) -> None:
    pdf.field("Hồ sơ của:", data.applicant_name)
    pdf.field("Nội dung yêu cầu giải quyết:", data.procedure_name)
    if data.received_at is not None:
        pdf.field("Thời gian tiếp nhận hồ sơ:", vietnamese_time(data.received_at))
    pdf.paragraph("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:")
    pdf.numbered(data.missing_items)
    if data.reason:
        pdf.field("Lý do:", data.reason)
    contact = f"{data.officer_name}, số điện thoại {data.agency.phone}" if data.agency.phone else data.officer_name
    pdf.paragraph(
        f"Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ với {contact} "
        f"({data.agency.unit}, {data.agency.name}) để được hướng dẫn."
    )
    pdf.lookup_block(data.lookup_url, code=data.dossier_code)
    pdf.signatures(None, Signature("Người hướng dẫn", data.officer_name))


def _refusal(pdf: SlipDocument, data: RefusalSlip) -> None:
    pdf.field(f"{data.agency.unit}:", data.agency.name)
    pdf.field("Tiếp nhận hồ sơ của:", data.applicant_name)
    pdf.field("Nội dung yêu cầu giải quyết:", data.procedure_name)
    pdf.paragraph(
        f"Qua xem xét, {data.agency.unit} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:"
    )
    pdf.numbered(data.reasons)
    pdf.paragraph("Xin thông báo cho ông/bà được biết và thực hiện./.")
    pdf.lookup_block(data.lookup_url, code=data.dossier_code)
    pdf.signatures(None, Signature("Người tiếp nhận hồ sơ", data.officer_name))


def _apology(pdf: SlipDocument, data: ApologySlip) -> None:
    agency = data.agency.name
    pdf.field("Kính gửi:", data.applicant_name)
    pdf.paragraph(
        f"{vietnamese_date(data.received_at).capitalize()}, {agency} tiếp nhận giải quyết hồ sơ của ông/bà/tổ chức."
    )
    pdf.field("Nội dung yêu cầu giải quyết:", data.procedure_name)
    pdf.field("Thời gian hẹn trả kết quả giải quyết hồ sơ:", vietnamese_time(data.due_at))
    pdf.paragraph(f"Tuy nhiên, {agency} không thể trả kết quả giải quyết hồ sơ của ông/bà/tổ chức đúng hẹn.")
    pdf.field("Lý do:", data.reason)
    pdf.paragraph(
        f"Sự chậm trễ này gây phiền hà, tốn kém chi phí, công sức của ông/bà/tổ chức. {agency} xin lỗi "
        f"ông/bà/tổ chức và sẽ trả kết quả giải quyết hồ sơ vào {vietnamese_time(data.new_due_at)}."
    )
    pdf.paragraph("Xin trân trọng cảm ơn./.")
    pdf.lookup_block(data.lookup_url, code=data.dossier_code)
    pdf.signatures(None, Signature(data.signer_title, data.officer_name, "(Ký, ghi rõ họ tên và đóng dấu)"))


def _process_control(pdf: SlipDocument, data: ProcessControlSlip) -> None:
    pdf.field("Hồ sơ của:", data.applicant_name)
    pdf.field("Nội dung yêu cầu giải quyết:", data.procedure_name)
    pdf.field("Thời gian nhận hồ sơ:", vietnamese_time(data.received_at))
    pdf.field("Thời gian hẹn trả kết quả:", vietnamese_time(data.due_at))
    pdf.field("Cơ quan (bộ phận) giải quyết hồ sơ:", data.processing_unit)
    if data.coordinating_units:
        pdf.field("Cơ quan phối hợp giải quyết hồ sơ:", "; ".join(data.coordinating_units))
    rows = [
        (
            str(number),
            step.action,
            f"{step.actor}\n{step.unit}",
            _short_time(step.at),
            _short_time(step.deadline) if step.deadline else "",
            TIMELINESS_WORDS.get(step.result, step.result) if step.result else "",
        )
        for number, step in enumerate(data.steps, start=1)
    ]
    pdf.ln(1)
    pdf.table_of(
        ("STT", "Nội dung giao, nhận", "Người thực hiện, đơn vị", "Thời gian giao, nhận", "Hạn xử lý", "Kết quả"),
        rows,
        (7, 25, 27, 17, 17, 14),
    )
    pdf.paragraph(
        "Kết quả giải quyết (trước hạn, đúng hạn, quá hạn) do bên nhận ghi khi nhận bàn giao hồ sơ.",
        style="I",
        size=7.5,
    )
    pdf.lookup_block(data.lookup_url, code=data.dossier_code)
    pdf.signatures(None, Signature("Người lập phiếu", data.officer_name))


def _document_line(document: SubmittedDocument) -> str:
    """``Tờ khai (01 bản chính, 02 bản sao)``: the form lists components with their number of copies."""
    counts = [
        f"{count:02d} {kind}"
        for count, kind in ((document.originals, "bản chính"), (document.copies, "bản sao"))
        if count
    ]
    return f"{document.name} ({', '.join(counts)})" if counts else document.name


def _short_time(instant: dt.datetime) -> str:
    """``14:05 09/06/2025``: the table's narrow columns take the numeric form."""
    return f"{local_time(instant):%H:%M %d/%m/%Y}"
