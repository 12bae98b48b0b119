"""The catalogue's tables. Every model module is imported here so Alembic sees the whole schema."""

from procedure_catalog.models.base import Base
from procedure_catalog.models.procedure import Procedure, ProcedureStatus

__all__ = ["Base", "Procedure", "ProcedureStatus"]
