"""dossier-api's domain events: what it publishes (dossier.*) and where they are stored."""
