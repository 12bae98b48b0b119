"""Demo questionnaire: the five national factors, in Vietnamese and English, published."""

from __future__ import annotations

from sqlalchemy import func, select

from motcua_kit.db import Database, utcnow
from satisfaction_survey.models import Factor, Question, QuestionKind, Questionnaire, QuestionnaireStatus

DEMO_QUESTIONS: list[tuple[str, Factor, QuestionKind, str, str, bool]] = [
    ("access", Factor.ACCESS, QuestionKind.SCALE,
     "Ông/Bà đánh giá thế nào về việc tiếp cận dịch vụ (địa điểm, trang thông tin, kênh nộp hồ sơ)?",
     "How easy was it to reach the service (place, website, ways to file)?", True),
    ("procedure", Factor.PROCEDURE, QuestionKind.SCALE,
     "Thủ tục hành chính được niêm yết công khai, đầy đủ, dễ hiểu?",
     "Was the procedure published in full and easy to understand?", True),
    ("civil_servant", Factor.CIVIL_SERVANT, QuestionKind.SCALE,
     "Công chức tiếp nhận, giải quyết hồ sơ có thái độ lịch sự, hướng dẫn tận tình?",
     "Were the civil servants courteous and helpful?", True),
    ("result", Factor.RESULT, QuestionKind.SCALE,
     "Kết quả giải quyết đúng quy định, đúng hẹn?",
     "Was the result correct and delivered on time?", True),
    ("feedback_handling", Factor.FEEDBACK_HANDLING, QuestionKind.SCALE,
     "Việc tiếp nhận, xử lý góp ý, phản ánh, kiến nghị?",
     "How were your comments and complaints handled?", False),
    ("overall", Factor.OVERALL, QuestionKind.SCALE,
     "Nhìn chung, Ông/Bà hài lòng với dịch vụ ở mức nào?",
     "Overall, how satisfied are you with the service?", True),
    ("comment", Factor.OVERALL, QuestionKind.COMMENT,
     "Góp ý khác (không bắt buộc)", "Other comments (optional)", False),
]  # fmt: skip


async def seed_demo(database: Database) -> str:
    """Publish the demo questionnaire in an empty database; a second run changes nothing."""
    async with database.transaction() as session:
        if await session.scalar(select(func.count()).select_from(Questionnaire)):
            return "already loaded"
        questionnaire = Questionnaire(
            version=1,
            title_vi="Phiếu khảo sát mức độ hài lòng về dịch vụ hành chính công",
            title_en="Satisfaction survey on public administrative services",
            status=QuestionnaireStatus.PUBLISHED,
            published_at=utcnow(),
        )
        questionnaire.questions = [
            Question(key=key, position=n, factor=factor, kind=kind, text_vi=text_vi, text_en=text_en, required=required)
            for n, (key, factor, kind, text_vi, text_en, required) in enumerate(DEMO_QUESTIONS, start=1)
        ]
        session.add(questionnaire)
    return f"questionnaire v1 with {len(DEMO_QUESTIONS)} questions published"
