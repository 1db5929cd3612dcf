"""Residents' appeals (обращения): registered, routed to the district's inspector, answered within working days."""
