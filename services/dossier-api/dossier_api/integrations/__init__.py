"""Dossiers filed on other systems: the National Public Service Portal's, inbound."""
