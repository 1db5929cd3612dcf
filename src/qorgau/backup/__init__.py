"""Consistent, encrypted backups of a running installation, and their restore onto a fresh place."""
