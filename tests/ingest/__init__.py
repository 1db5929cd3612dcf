"""Tests of device ingest."""
