"""Qorgau: the Operations Control Center for city police."""

__version__ = "0.1.0"
