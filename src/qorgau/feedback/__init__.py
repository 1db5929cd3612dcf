"""Residents' feedback after an appeal or an incident: a satisfaction score and a comment."""
