"""satisfaction-survey's tables. Every model module is imported here so Alembic sees the whole schema."""

from satisfaction_survey.models.base import Base
from satisfaction_survey.models.questionnaire import (
    Factor,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
)

__all__ = ["Base", "Factor", "Question", "QuestionKind", "Questionnaire", "QuestionnaireStatus"]
