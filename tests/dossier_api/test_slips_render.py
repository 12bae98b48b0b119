"""Printed slips (dossier_api.slips.render), read back with pypdf."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import unicodedata
from typing import Any

import pypdf
import pytest
import segno
from PIL import Image

from dossier_api.slips.render import (
    MAX_TEXT,
    Agency,
    ApologySlip,
    ProcessControlSlip,
    ProcessStep,
    ReceiptSlip,
    RefusalSlip,
    SlipData,
    SlipKind,
    SubmittedDocument,
    SupplementRequestSlip,
    render_slip,
)
from motcua_kit.timezone import VIETNAM

A5_POINTS = (148 / 25.4 * 72, 210 / 25.4 * 72)
CODE = "SNGV-250609-0001"
URL = f"https://motcua.example.vn/tra-cuu/{CODE}"
APPLICANT = "Nguyễn Thị Ánh Tuyết"


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


def agency(**overrides: Any) -> Agency:
    values: dict[str, Any] = {
        "name": "Sở Ngoại vụ thành phố Đà Nẵng",
        "parent": "Ủy ban nhân dân thành phố Đà Nẵng",
        "place": "Đà Nẵng",
        "phone": "0236 3822 000",
    }
    return Agency(**values | overrides)


def common(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "agency": agency(),
        "dossier_code": CODE,
        "procedure_name": "Cấp thẻ đi lại của doanh nhân APEC (thẻ ABTC)",
        "applicant_name": APPLICANT,
        "lookup_url": URL,
        "issued_at": vn(2025, 6, 9, 9, 30),
        "officer_name": "Trần Văn Bình",
    }
    return values | overrides


def receipt(**overrides: Any) -> ReceiptSlip:
    values: dict[str, Any] = {
        "documents": (
            SubmittedDocument(name="Tờ khai đề nghị cấp thẻ ABTC", originals=1),
            SubmittedDocument(name="Hộ chiếu còn hạn", copies=2),
        ),
        "processing_time": "10 ngày làm việc",
        "received_at": vn(2025, 6, 9, 9, 30),
        "due_at": vn(2025, 6, 23, 9, 30),
        "result_delivery": "Bộ phận Tiếp nhận và Trả kết quả",
        "tracking_secret": "7Q4KXM",
    }
    return ReceiptSlip(**common() | values | overrides)


def supplement_request(**overrides: Any) -> SupplementRequestSlip:
    values: dict[str, Any] = {
        "missing_items": ("Bản sao hộ chiếu còn hạn ít nhất 12 tháng", "Văn bản cử đi công tác của doanh nghiệp"),
        "reason": "Hồ sơ chưa đủ thành phần theo quy định.",
        "received_at": vn(2025, 6, 9, 9, 30),
    }
    return SupplementRequestSlip(**common() | values | overrides)


def refusal(**overrides: Any) -> RefusalSlip:
    values: dict[str, Any] = {"reasons": ("Thủ tục không thuộc thẩm quyền giải quyết của Sở Ngoại vụ.",)}
    return RefusalSlip(**common() | values | overrides)


def apology(**overrides: Any) -> ApologySlip:
    values: dict[str, Any] = {
        "received_at": vn(2025, 6, 9, 9, 30),
        "due_at": vn(2025, 6, 23, 9, 30),
        "new_due_at": vn(2025, 6, 30, 9, 30),
        "reason": "Cần xin ý kiến phối hợp của Công an thành phố.",
    }
    return ApologySlip(**common() | values | overrides)


def step(**overrides: Any) -> ProcessStep:
    values: dict[str, Any] = {
        "action": "Thẩm định hồ sơ",
        "actor": "Lê Thị Hoa",
        "unit": "Phòng Lãnh sự",
        "at": vn(2025, 6, 10, 8),
        "deadline": vn(2025, 6, 12, 17),
        "result": "on_time",
    }
    return ProcessStep(**values | overrides)


def process_control(**overrides: Any) -> ProcessControlSlip:
    values: dict[str, Any] = {
        "received_at": vn(2025, 6, 9, 9, 30),
        "due_at": vn(2025, 6, 23, 9, 30),
        "processing_unit": "Phòng Lãnh sự",
        "coordinating_units": ("Công an thành phố",),
        "steps": (
            step(action="Tiếp nhận hồ sơ, chuyển xử lý", actor="Trần Văn Bình", unit="Bộ phận Một cửa", result="early"),
            step(),
            step(action="Phê duyệt", actor="Phạm Quốc Huy", unit="Lãnh đạo Sở", result="late"),
            step(action="Trả kết quả", deadline=None, result=None),
        ),
    }
    return ProcessControlSlip(**common() | values | overrides)


SLIPS: dict[SlipKind, tuple[SlipData, str]] = {
    SlipKind.RECEIPT: (receipt(), "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    SlipKind.SUPPLEMENT_REQUEST: (supplement_request(), "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    SlipKind.REFUSAL: (refusal(), "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    SlipKind.APOLOGY: (apology(), "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    SlipKind.PROCESS_CONTROL: (process_control(), "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
}


def read(pdf: bytes) -> pypdf.PdfReader:
    assert pdf.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(pdf))


def text_of(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Extracted text with line breaks folded, for phrases that may wrap."""
    return " ".join(text.split())


def assert_a5(reader: pypdf.PdfReader) -> None:
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(A5_POINTS[0], abs=0.1)
        assert float(page.mediabox.height) == pytest.approx(A5_POINTS[1], abs=0.1)


def qr_pixels(url: str) -> bytes:
    image = io.BytesIO()
    segno.make(url, error="m", micro=False).save(image, kind="png", scale=8, border=2)
    return Image.open(image).convert("L").tobytes()


@pytest.mark.parametrize("kind", list(SlipKind))
def test_each_slip_is_an_a5_pdf_with_its_title_code_applicant_and_qr(kind: SlipKind) -> None:
    data, title = SLIPS[kind]
    reader = read(render_slip(kind, data))
    assert_a5(reader)
    text = text_of(reader)
    assert title.upper() in text
    assert title.lower() in text.lower()
    assert f"Mã hồ sơ: {CODE}" in text
    assert APPLICANT in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Đà Nẵng, ngày 09 tháng 6 năm 2025" in text
    assert URL in flat(text).replace(" ", "") or URL in text
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1
    # The QR code is exactly segno's code for the lookup URL, pixel for pixel.
    assert images[0].image is not None
    assert images[0].image.convert("L").tobytes() == qr_pixels(URL)


def test_receipt_lines() -> None:
    text = flat(text_of(read(render_slip(SlipKind.RECEIPT, receipt(intermediary_name="Công ty Luật TNHH Minh Khuê")))))
    assert "Tiếp nhận hồ sơ của: Nguyễn Thị Ánh Tuyết" in text
    assert "Tổ chức nộp thay: Công ty Luật TNHH Minh Khuê" in text
    assert "1. Tờ khai đề nghị cấp thẻ ABTC (01 bản chính)" in text
    assert "2. Hộ chiếu còn hạn (02 bản sao)" in text
    assert "Thời gian giải quyết hồ sơ theo quy định: 10 ngày làm việc" in text
    assert "Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 09 tháng 6 năm 2025" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 30 phút, ngày 23 tháng 6 năm 2025" in text
    assert "Mã tra cứu: 7Q4KXM" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Trần Văn Bình" in text


def test_supplement_request_lists_every_missing_item_and_whom_to_call() -> None:
    text = flat(text_of(read(render_slip(SlipKind.SUPPLEMENT_REQUEST, supplement_request()))))
    assert "1. Bản sao hộ chiếu còn hạn ít nhất 12 tháng" in text
    assert "2. Văn bản cử đi công tác của doanh nghiệp" in text
    assert "Lý do: Hồ sơ chưa đủ thành phần theo quy định." in text
    assert "Trần Văn Bình, số điện thoại 0236 3822 000" in text
    assert "NGƯỜI HƯỚNG DẪN" in text


def test_refusal_gives_the_reasons() -> None:
    slip = refusal(reasons=("Thủ tục không thuộc thẩm quyền.", "Người nộp không có giấy ủy quyền."))
    text = flat(text_of(read(render_slip(SlipKind.REFUSAL, slip))))
    assert "thông báo không tiếp nhận, giải quyết hồ sơ này" in text
    assert "1. Thủ tục không thuộc thẩm quyền." in text
    assert "2. Người nộp không có giấy ủy quyền." in text


def test_apology_names_the_old_and_new_appointments() -> None:
    text = flat(text_of(read(render_slip(SlipKind.APOLOGY, apology()))))
    assert "Kính gửi: Nguyễn Thị Ánh Tuyết" in text
    assert "09 giờ 30 phút, ngày 23 tháng 6 năm 2025" in text
    assert "sẽ trả kết quả giải quyết hồ sơ vào 09 giờ 30 phút, ngày 30 tháng 6 năm 2025" in text
    assert "THỦ TRƯỞNG CƠ QUAN" in text


def test_process_control_tabulates_each_step() -> None:
    text = flat(text_of(read(render_slip(SlipKind.PROCESS_CONTROL, process_control()))))
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: Phòng Lãnh sự" in text
    assert "Cơ quan phối hợp giải quyết hồ sơ: Công an thành phố" in text
    for expected in (
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Lê Thị Hoa",
        "Phòng Lãnh sự",
        "08:00 10/06/2025",
        "17:00 12/06/2025",
    ):
        assert expected in text


def test_times_are_printed_in_vietnam() -> None:
    # 20:00 UTC on 9 June is 03:00 on 10 June in Hanoi.
    slip = receipt(
        issued_at=dt.datetime(2025, 6, 9, 20, tzinfo=dt.UTC), received_at=dt.datetime(2025, 6, 9, 20, tzinfo=dt.UTC)
    )
    text = flat(text_of(read(render_slip(SlipKind.RECEIPT, slip))))
    assert "Đà Nẵng, ngày 10 tháng 6 năm 2025" in text
    assert "03 giờ 00 phút, ngày 10 tháng 6 năm 2025" in text


def test_january_and_february_take_a_leading_zero() -> None:
    slip = refusal(issued_at=vn(2026, 2, 5, 8))
    assert "ngày 05 tháng 02 năm 2026" in text_of(read(render_slip(SlipKind.REFUSAL, slip)))


def test_decomposed_vietnamese_is_printed_precomposed() -> None:
    decomposed = unicodedata.normalize("NFD", APPLICANT)
    assert decomposed != APPLICANT
    text = text_of(read(render_slip(SlipKind.REFUSAL, refusal(applicant_name=decomposed))))
    assert APPLICANT in text


def test_characters_the_font_lacks_become_question_marks_without_logging_them(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    text = text_of(read(render_slip(SlipKind.REFUSAL, refusal(applicant_name="Trần 山田 😀\u202e\tAn"))))
    assert "Trần ?? ?" in text
    assert "An" in text
    assert not [record for record in caplog.records if "山" in record.getMessage()]


@pytest.mark.parametrize("spaces", [True, False], ids=["words", "one long word"])
@pytest.mark.parametrize("kind", list(SlipKind))
def test_long_inputs_wrap_onto_more_a5_pages(kind: SlipKind, spaces: bool) -> None:
    def text(limit: int) -> str:
        """Every field at its length limit, as words or as one wide unbreakable word."""
        return (("Nguyễn Ánh Tuyết " * limit) if spaces else ("Ấ" * limit))[:limit]

    longest = common(
        agency=agency(name=text(300), parent=text(300), place=text(100), unit=text(300), phone=text(50)),
        dossier_code=text(64),
        procedure_name=text(MAX_TEXT),
        applicant_name=text(300),
        lookup_url="https://motcua.example.vn/" + "a" * 970,
        officer_name=text(300),
    )
    data: SlipData
    if kind is SlipKind.RECEIPT:
        documents = tuple(SubmittedDocument(name=text(MAX_TEXT), originals=999, copies=999) for _ in range(3))
        data = dataclasses.replace(receipt(), **longest, documents=documents, intermediary_name=text(300))
    elif kind is SlipKind.SUPPLEMENT_REQUEST:
        data = dataclasses.replace(
            supplement_request(), **longest, missing_items=(text(MAX_TEXT),) * 4, reason=text(MAX_TEXT)
        )
    elif kind is SlipKind.REFUSAL:
        data = dataclasses.replace(refusal(), **longest, reasons=(text(MAX_TEXT),) * 4)
    elif kind is SlipKind.APOLOGY:
        data = dataclasses.replace(apology(), **longest, reason=text(MAX_TEXT), signer_title=text(200))
    else:
        steps = tuple(step(action=text(500), actor=text(300), unit=text(300), result=text(200)) for _ in range(4))
        data = dataclasses.replace(process_control(), **longest, steps=steps, coordinating_units=(text(300),) * 5)
    reader = read(render_slip(kind, data))
    assert len(reader.pages) > 1
    assert_a5(reader)
    assert f"Trang 1/{len(reader.pages)}" in reader.pages[0].extract_text()


def test_many_missing_items_and_steps() -> None:
    items = tuple(f"Giấy tờ số {n}" for n in range(1, 301))
    text = text_of(read(render_slip(SlipKind.SUPPLEMENT_REQUEST, supplement_request(missing_items=items))))
    assert "300. Giấy tờ số 300" in text
    steps = tuple(step(action=f"Bước {n}") for n in range(1, 121))
    reader = read(render_slip(SlipKind.PROCESS_CONTROL, process_control(steps=steps)))
    assert "Bước 120" in text_of(reader)
    assert len(reader.pages) > 3


def test_same_data_same_bytes() -> None:
    assert render_slip(SlipKind.RECEIPT, receipt()) == render_slip(SlipKind.RECEIPT, receipt())


def test_metadata_names_the_slip_and_agency_but_not_the_applicant() -> None:
    metadata = read(render_slip(SlipKind.RECEIPT, receipt())).metadata
    assert metadata is not None
    assert metadata.title == f"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ - {CODE}"
    assert metadata.author == "Sở Ngoại vụ thành phố Đà Nẵng"
    assert APPLICANT not in str(dict(metadata))


def test_the_secret_is_printed_only_when_given() -> None:
    text = text_of(read(render_slip(SlipKind.RECEIPT, receipt(tracking_secret=None))))
    assert "Mã tra cứu" not in text
    assert "7Q4KXM" not in text


def test_the_data_must_match_the_kind() -> None:
    with pytest.raises(TypeError, match="ReceiptSlip"):
        render_slip(SlipKind.RECEIPT, refusal())
    with pytest.raises(ValueError, match="certificate"):
        render_slip("certificate", refusal())  # type: ignore[call-overload]
    assert render_slip("refusal", refusal()).startswith(b"%PDF")  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: refusal(reasons=()), ValueError, "at least one"),
        (lambda: supplement_request(missing_items=()), ValueError, "at least one"),
        (lambda: supplement_request(missing_items=("ok", "  ")), ValueError, "must not be empty"),
        (lambda: supplement_request(missing_items="Hộ chiếu"), TypeError, "sequence"),
        (lambda: refusal(reasons=("x",) * 301), ValueError, "more than 300"),
        (lambda: refusal(applicant_name=""), ValueError, "applicant name"),
        (lambda: refusal(procedure_name="x" * (MAX_TEXT + 1)), ValueError, "longer than"),
        (lambda: refusal(lookup_url="javascript:alert(1)"), ValueError, "http"),
        (lambda: refusal(issued_at=dt.datetime(2025, 6, 9)), ValueError, "time zone"),  # noqa: DTZ001
        (lambda: refusal(issued_at="2025-06-09"), TypeError, "datetime"),
        (lambda: refusal(agency="Sở Ngoại vụ"), TypeError, "Agency"),
        (lambda: receipt(due_at=vn(2025, 6, 1)), ValueError, "before"),
        (lambda: receipt(dossier_sets=0), ValueError, "dossier sets"),
        (lambda: receipt(documents=("Tờ khai",)), TypeError, "SubmittedDocument"),
        (lambda: SubmittedDocument(name="Tờ khai", copies=-1), ValueError, "copies"),
        (lambda: apology(new_due_at=vn(2025, 6, 20)), ValueError, "after the original"),
        (lambda: process_control(steps=("x",)), TypeError, "ProcessStep"),
        (lambda: step(at=dt.datetime(2025, 6, 9)), ValueError, "time zone"),  # noqa: DTZ001
        (lambda: agency(place=""), ValueError, "place"),
    ],
)
def test_invalid_slip_data_is_refused(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        build()


def test_slip_data_is_immutable() -> None:
    slip = supplement_request(missing_items=["Hộ chiếu"])
    assert slip.missing_items == ("Hộ chiếu",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        slip.applicant_name = "Someone else"  # type: ignore[misc]
