"""Speed and red-light violations: calibration, measurement, evidence packages and the officer's review."""
