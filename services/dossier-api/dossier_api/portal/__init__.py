"""The National Public Service Portal: the dossier sync (a dispatcher sender) and each dossier's sync status."""
