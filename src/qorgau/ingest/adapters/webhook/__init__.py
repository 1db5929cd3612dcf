"""Signed webhooks: vendors' systems (camera analytics, access controllers) push events over HTTP.

Each integration has its own secret; a request is accepted only with a valid HMAC-SHA256 over its timestamp and
raw body, a timestamp within the tolerance, and a body that matches the schema (docs/webhooks.md).
"""
