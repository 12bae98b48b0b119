"""Types and labels shared by the survey's features: codes, plain text, the scale and the factors."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from satisfaction_survey.models import Factor

# Control characters other than tab and line breaks: PostgreSQL refuses NUL in text, and none of them
# belongs in a comment or a title.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


COMMENT_MAX_CHARS = 2000
"""A comment, a complaint or an agency's reply: long enough for a letter, short enough to read."""

Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(_no_control_characters),
]
QuestionText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_no_control_characters),
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=COMMENT_MAX_CHARS),
    AfterValidator(_no_control_characters),
]
PersonName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_control_characters),
]

# Codes owned by other services are opaque here: checked for shape only.
DossierCode = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
ProcedureCode = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$")]
AgencyCode = Annotated[str, StringConstraints(min_length=2, max_length=20, pattern=r"^[A-Za-z0-9.]+$")]
SubjectId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
FormNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9./_-]*$")
]
QuestionKey = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
DatabaseId = Annotated[int, Field(ge=1, le=2_147_483_647)]

SCALE = (1, 2, 3, 4, 5)
SATISFIED_LEVELS = frozenset({4, 5})
"""The top two levels of the 5-level scale: "satisfied" (4) and "very satisfied" (5)."""
UNHAPPY_LEVELS = frozenset({1, 2})
"""The two lowest levels: "very dissatisfied" (1) and "dissatisfied" (2); each opens feedback."""

SCALE_LABELS: dict[int, tuple[str, str]] = {
    1: ("Rất không hài lòng", "Very dissatisfied"),
    2: ("Không hài lòng", "Dissatisfied"),
    3: ("Bình thường", "Neither satisfied nor dissatisfied"),
    4: ("Hài lòng", "Satisfied"),
    5: ("Rất hài lòng", "Very satisfied"),
}

FACTOR_LABELS: dict[Factor, tuple[str, str]] = {
    Factor.ACCESS: ("Tiếp cận dịch vụ", "Access to the service"),
    Factor.PROCEDURE: ("Thủ tục hành chính", "The administrative procedure"),
    Factor.CIVIL_SERVANT: ("Công chức trực tiếp giải quyết", "The civil servant"),
    Factor.RESULT: ("Kết quả giải quyết", "The result"),
    Factor.FEEDBACK_HANDLING: ("Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị", "Handling of feedback and complaints"),
    Factor.OVERALL: ("Đánh giá chung", "Overall"),
}

NATIONAL_FACTORS = (Factor.ACCESS, Factor.PROCEDURE, Factor.CIVIL_SERVANT, Factor.RESULT, Factor.FEEDBACK_HANDLING)
"""The five factors of the national satisfaction index (SIPAS)."""
