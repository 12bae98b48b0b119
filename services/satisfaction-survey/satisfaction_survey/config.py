"""satisfaction-survey settings (environment prefix ``SURVEY_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from motcua_kit.settings import DatabaseSettings, ServiceSettings


class SurveySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SURVEY_")
    service_name: ClassVar[str] = "satisfaction-survey"

    port: int = 8003
    database: DatabaseSettings = DatabaseSettings(url="sqlite:///./var/satisfaction-survey.db")
