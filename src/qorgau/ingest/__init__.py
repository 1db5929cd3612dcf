"""Device ingest: protocol adapters that turn device traffic into typed events."""
