"""Reports per police district and inspector: residents, coverage, incidents, appeals, satisfaction."""
