"""SIP (RFC 3261) messages: parser and TCP framer, responses, digest authentication (RFC 2617 MD5)."""
