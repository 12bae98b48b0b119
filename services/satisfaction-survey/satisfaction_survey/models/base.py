from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from motcua_kit.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()
