"""satisfaction-survey settings (environment prefix ``SURVEY_``)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from motcua_kit.events.settings import EventSettings
from motcua_kit.settings import DatabaseSettings, ServiceSettings


class SurveySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SURVEY_")
    service_name: ClassVar[str] = "satisfaction-survey"

    port: int = 8003
    database: DatabaseSettings = DatabaseSettings(url="sqlite:///./var/satisfaction-survey.db")
    invitation_ttl_days: Annotated[
        int,
        Field(ge=1, le=90, description="How long an invitation's online link (and QR code) stays valid, in days."),
    ] = 14
    answer_link_base: Annotated[
        str | None,
        Field(
            description=(
                "Citizen page that answers an invitation; the token is appended to it. Empty: the API's own"
                " `<public_base_url>/api/v1/surveys/invitations/<token>`."
            )
        ),
    ] = None
    satisfaction_target: Annotated[
        float,
        Field(gt=0, le=1, description="The satisfied share the department aims above (0.95 = 'above 95%')."),
    ] = 0.95
    # Delivery of the survey's events (survey answered, feedback opened) and the secret of its inbox,
    # which receives dossier-api's events: SURVEY_EVENTS__...
    events: EventSettings = EventSettings()

    @field_validator("answer_link_base")
    @classmethod
    def _link_base_ends_with_slash(cls, value: str | None) -> str | None:
        if not value:
            return None
        return value if value.endswith(("/", "=")) else value + "/"
