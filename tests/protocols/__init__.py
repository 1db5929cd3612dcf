"""Tests of the shared protocol code, mirroring src/qorgau/protocols."""
