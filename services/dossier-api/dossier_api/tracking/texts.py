"""What a citizen reads about each status and step: plain words, no names, no personal data."""

from __future__ import annotations

from dossier_api.models import DossierStatus

STATUS_TEXT: dict[DossierStatus, tuple[str, str]] = {
    DossierStatus.REGISTERED: ("Mới đăng ký, chờ tiếp nhận", "Registered, awaiting reception"),
    DossierStatus.RECEIVED: ("Đã tiếp nhận", "Received"),
    DossierStatus.REFUSED: ("Không tiếp nhận", "Not received"),
    DossierStatus.PROCESSING: ("Đang giải quyết", "Being processed"),
    DossierStatus.SUPPLEMENT_REQUESTED: ("Yêu cầu bổ sung hồ sơ", "Supplement requested"),
    DossierStatus.AWAITING_FEES: ("Chờ thực hiện nghĩa vụ tài chính", "Awaiting payment of fees"),
    DossierStatus.WITHDRAWN: ("Đã rút hồ sơ", "Withdrawn"),
    DossierStatus.STOPPED: ("Dừng xử lý", "Processing stopped"),
    DossierStatus.RESOLVED: ("Đã có kết quả", "Result ready"),
    DossierStatus.RETURNED: ("Đã trả kết quả", "Result returned"),
}

STEP_TEXT: dict[str, tuple[str, str]] = {
    "register": ("Hồ sơ được đăng ký", "The dossier was registered"),
    "receive": ("Hồ sơ được tiếp nhận", "The dossier was received"),
    "refuse": ("Hồ sơ không được tiếp nhận", "The dossier was not received"),
    "request_supplement": ("Cơ quan yêu cầu bổ sung hồ sơ", "The agency asked for a supplement"),
    "complete_supplement": ("Hồ sơ đã được bổ sung", "The supplement was handed in"),
    "assign": ("Hồ sơ được chuyển phòng chuyên môn giải quyết", "The dossier went to the processing department"),
    "pause": ("Tạm dừng giải quyết", "Processing was suspended"),
    "resume": ("Tiếp tục giải quyết", "Processing resumed"),
    "transfer": ("Hồ sơ được chuyển cơ quan phối hợp", "The dossier went to a partner agency"),
    "transfer_return": ("Cơ quan phối hợp đã xử lý xong", "The partner agency finished its part"),
    "reschedule": ("Cơ quan xin lỗi và hẹn lại ngày trả kết quả", "The agency apologised and set a new date"),
    "request_fees": ("Thông báo nộp phí, lệ phí", "Fees were requested"),
    "record_payment": ("Đã nộp phí, lệ phí", "Fees were paid"),
    "resolve": ("Đã có kết quả giải quyết", "The result is ready"),
    "return_result": ("Đã trả kết quả", "The result was returned"),
    "withdraw": ("Hồ sơ đã được rút", "The dossier was withdrawn"),
    "stop": ("Dừng xử lý hồ sơ", "Processing was stopped"),
    "import": ("Hồ sơ được chuyển từ hệ thống cũ", "The dossier came from the previous system"),
}


def status_text(status: DossierStatus, language: str) -> str:
    vietnamese, english = STATUS_TEXT[status]
    return english if language == "en" else vietnamese


def step_text(action: str, language: str) -> str:
    vietnamese, english = STEP_TEXT.get(action, (action, action))
    return english if language == "en" else vietnamese
