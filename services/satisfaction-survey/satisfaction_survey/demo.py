"""Demo data: a published questionnaire (the five national factors, Vietnamese and English), and a few
clearly marked demo evaluations so the index has something to show.

The demo evaluations belong to the agency ``DEMO`` (dossier codes ``DEMO-...``, officers
``demo-officer-N``): filter them out with ``agency=`` or start without demo data (``--no-demo``).
They are made through the same services as real ones, so the day and month totals are right.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_kit.auth import Principal, Role
from motcua_kit.db import Database, utcnow
from motcua_kit.timezone import local_date
from satisfaction_survey.feedback.repository import FeedbackRepository
from satisfaction_survey.invitations.repository import InvitationRepository
from satisfaction_survey.invitations.schemas import InvitationCreate
from satisfaction_survey.invitations.service import InvitationService
from satisfaction_survey.models import (
    DossierChannel,
    Factor,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    ResponseMode,
)
from satisfaction_survey.questionnaires.repository import QuestionnaireRepository
from satisfaction_survey.responses.repository import ResponseRepository
from satisfaction_survey.responses.schemas import AnswerIn, ResponseCreate
from satisfaction_survey.responses.service import ResponseService
from satisfaction_survey.stats.totals import TotalsRepository

DEMO_AGENCY = "DEMO"
DEMO_PROCEDURES = ("1.000948", "1.003131", "1.003132", "2.000635", "2.001731")
DEMO_INVITATIONS = 30
DEMO_ONLINE = 16
DEMO_PAPER = 8

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


async def seed_demo(database: Database, *, evaluations: bool = True) -> str:
    """Publish the demo questionnaire (and demo evaluations) in an empty database; a second run changes nothing."""
    async with database.transaction() as session:
        if await session.scalar(select(func.count()).select_from(Questionnaire)):
            return "already loaded"
        now = utcnow()
        questionnaire = Questionnaire(
            version=1,
            title_vi="Phiếu khảo sát mức độ hài lòng về dịch vụ hành chính công",
            title_en="Satisfaction survey on public administrative services",
            status=QuestionnaireStatus.PUBLISHED,
            published_at=now - dt.timedelta(days=120),
            created_by="demo",
            revision=1,
        )
        questionnaire.questions = [
            Question(key=key, position=n, factor=factor, kind=kind, text_vi=text_vi, text_en=text_en, required=required)
            for n, (key, factor, kind, text_vi, text_en, required) in enumerate(DEMO_QUESTIONS, start=1)
        ]
        session.add(questionnaire)
        await session.flush()
        outcome = f"questionnaire v1 with {len(DEMO_QUESTIONS)} questions published"
        if evaluations:
            await _demo_evaluations(session, questionnaire, now)
            outcome += (
                f"; {DEMO_INVITATIONS} demo invitations and {DEMO_ONLINE + DEMO_PAPER} demo responses"
                f" (agency {DEMO_AGENCY})"
            )
    return outcome


async def _demo_evaluations(session: AsyncSession, questionnaire: Questionnaire, now: dt.datetime) -> None:
    """Invitations over the last 90 days; most answered a few days later, online or on paper."""
    rng = random.Random(2026)  # noqa: S311 - demo data, not a secret
    totals = TotalsRepository(session)
    invitations = InvitationService(
        InvitationRepository(session), QuestionnaireRepository(session), totals, ttl_days=14
    )
    responses = ResponseService(
        ResponseRepository(session),
        invitations=invitations,
        questionnaires=QuestionnaireRepository(session),
        feedback=FeedbackRepository(session),
        totals=totals,
    )
    system = Principal(subject="demo-seed", roles=frozenset({Role.INTEGRATION}))
    clerk = Principal(subject="demo-reception", roles=frozenset({Role.RECEPTION_OFFICER}), name="Demo")
    comment = next(q for q in questionnaire.questions if q.kind is QuestionKind.COMMENT)
    for n in range(DEMO_INVITATIONS):
        issued_at = now - dt.timedelta(days=90 - 3 * n, hours=rng.randint(0, 8))
        issued = await invitations.create(
            InvitationCreate(
                dossier_code=f"{DEMO_AGENCY}-{local_date(issued_at):%y%m%d}-{n + 1:04d}",
                procedure_code=rng.choice(DEMO_PROCEDURES),
                agency_code=DEMO_AGENCY,
                channel=rng.choice(list(DossierChannel)),
                officer_id=f"demo-officer-{rng.randint(1, 3)}",
            ),
            system,
            now=issued_at,
        )
        if n >= DEMO_ONLINE + DEMO_PAPER:
            continue  # left unanswered: the response rate is below 100%
        answers = [
            AnswerIn(question_id=q.id, score=rng.choices((5, 4, 3, 2), weights=(60, 33, 5, 2))[0])
            for q in questionnaire.questions
            if q.kind is QuestionKind.SCALE
        ]
        unhappy = n == 5
        if unhappy:
            answers.append(AnswerIn(question_id=comment.id, text="Phải đi lại nhiều lần để bổ sung hồ sơ."))
        online = n < DEMO_ONLINE
        await responses.record(
            ResponseCreate(
                mode=ResponseMode.ONLINE if online else ResponseMode.PAPER,
                token=issued.token if online else None,
                dossier_code=None if online else issued.invitation.dossier_code,
                form_number=None if online else f"DEMO-PKS-{n + 1:04d}",
                answers=answers,
                complaint=unhappy,
            ),
            None if online else clerk,
            now=issued_at + dt.timedelta(days=rng.randint(0, 4), hours=2),
        )
