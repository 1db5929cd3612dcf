"""Tests of the MQTT payload schemas, payload builders and broker addresses."""
