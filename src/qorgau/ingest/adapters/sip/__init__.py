"""SIP listener for SOS terminals: every call from a registered terminal is an SOS event (see docs/sip.md)."""
