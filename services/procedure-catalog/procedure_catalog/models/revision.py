"""The revision of the published catalogue: one counter, raised by every write of versions."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Integer
from sqlalchemy.orm import Mapped, mapped_column

from procedure_catalog.models.base import Base

REVISION_ROW = 1


class CatalogueRevision(Base):
    """A single row (id 1, made by the migration). Raised in the transaction that writes versions, so
    a reader that sees revision N also sees every version written up to N; and, the row being locked
    by each writer until it commits, revisions follow the order of commits."""

    __tablename__ = "catalogue_revision"
    __table_args__ = (CheckConstraint(f"id = {REVISION_ROW}", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
