"""Ingest adapters, one plug-in unit per protocol."""
