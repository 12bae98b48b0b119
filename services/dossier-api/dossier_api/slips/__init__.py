"""Printed slips (A5 PDF) generated from dossier data."""
