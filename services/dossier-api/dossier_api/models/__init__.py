"""dossier-api's tables. Every model module is imported here so Alembic sees the whole schema."""

from dossier_api.models.base import Base
from dossier_api.models.dossier import Channel, Dossier, DossierCodeCounter, DossierStatus

__all__ = ["Base", "Channel", "Dossier", "DossierCodeCounter", "DossierStatus"]
