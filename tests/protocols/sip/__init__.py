"""Tests of the SIP message codec and digest authentication."""
