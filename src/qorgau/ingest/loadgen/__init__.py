"""Load generators that play many devices at once against an ingest receiver."""
