"""The gateway's tables: system clients and their API keys, closed report periods.

Every model is imported here for Alembic.
"""

from motcua_gateway.models.api_client import ApiClient, ApiKey, Base
from motcua_gateway.models.report_period import ALL_AGENCIES, FrozenReport, ReportPeriod, ReportPeriodEvent

__all__ = ["ALL_AGENCIES", "ApiClient", "ApiKey", "Base", "FrozenReport", "ReportPeriod", "ReportPeriodEvent"]
