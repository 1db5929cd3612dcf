"""Composition roots: each process of Qorgau (server, ingest, demo) and the commands that start them."""
