"""SIA DC-09 receiver codec: framing, encryption, SIA DC-03 and Contact ID payloads (pure, no I/O)."""
