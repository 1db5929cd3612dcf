"""SIA DC-09 receiver: the adapter that turns panels' frames into ingest events (codec in qorgau.protocols.dc09)."""
