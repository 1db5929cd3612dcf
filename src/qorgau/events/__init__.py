"""The event stream as an API: recent events and the live WebSocket feed."""
