"""Simulation runs: the live simulator announces itself, so every desk shows SIMULATION while it runs."""
