"""Offence statistics: clearance, rates, АППГ comparison, slices, hot spots, reports."""
