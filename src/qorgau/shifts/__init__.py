"""Shift handover: what is open, what changed during the shift, notes, signed by both supervisors."""
