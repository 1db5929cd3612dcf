"""MQTT ingest: turnstiles, SOS terminals and GPS trackers publish JSON to a broker Qorgau subscribes to."""
