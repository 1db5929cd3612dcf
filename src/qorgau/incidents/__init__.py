"""Incidents: intake, states, timeline, links, EIDO export and response metrics."""
