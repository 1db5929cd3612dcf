"""Tests of the SIA DC-09 codec and transmitter."""
