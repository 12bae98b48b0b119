from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from satisfaction_survey.common import AgencyCode, DossierCode, PersonName, ProcedureCode, SubjectId
from satisfaction_survey.models import DossierChannel
from satisfaction_survey.questionnaires.schemas import QuestionnaireRead


class InvitationCreate(BaseModel):
    """The dossier whose result was returned, and who handled it."""

    model_config = ConfigDict(extra="forbid")

    dossier_code: DossierCode = Field(examples=["SNGV-261126-0001"])
    procedure_code: ProcedureCode = Field(description="National procedure code (MaTTHC).", examples=["1.000948"])
    agency_code: AgencyCode = Field(description="The agency that handled the dossier.", examples=["SNGV"])
    channel: DossierChannel = Field(description="How the dossier was filed.")
    officer_id: SubjectId = Field(description="Identity (token subject) of the civil servant who handled it.")
    officer_name: PersonName | None = None


class InvitationReissue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dossier_code: DossierCode


class InvitationIssued(BaseModel):
    """An invitation with its link. The token is shown here once: only its hash is kept."""

    id: int
    dossier_code: str
    procedure_code: str
    agency_code: str
    channel: DossierChannel
    officer_id: str
    officer_name: str | None
    questionnaire_version: int
    token: str = Field(description="The secret of the online link; print it only as the link or QR code.")
    link: str = Field(description="The link the citizen opens to answer (also in the QR code).")
    qr_svg: str = Field(description="URL of the QR code of `link`, as SVG.")
    qr_png: str = Field(description="URL of the QR code of `link`, as PNG.")
    expires_at: dt.datetime
    created_at: dt.datetime


class InvitationForm(BaseModel):
    """What a citizen holding the link sees: the questionnaire to answer, and nothing personal."""

    procedure_code: str = Field(description="The procedure being evaluated.")
    agency_code: str = Field(description="The agency being evaluated.")
    expires_at: dt.datetime
    questionnaire: QuestionnaireRead
