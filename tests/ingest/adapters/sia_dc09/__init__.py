"""Tests of the SIA DC-09 receiver."""
