"""Kernel shared by every domain; it imports no domain package."""
