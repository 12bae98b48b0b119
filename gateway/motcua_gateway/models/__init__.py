"""The gateway's tables: the system clients that call with an API key. Every model is imported here for Alembic."""

from motcua_gateway.models.api_client import ApiClient, ApiKey, Base

__all__ = ["ApiClient", "ApiKey", "Base"]
