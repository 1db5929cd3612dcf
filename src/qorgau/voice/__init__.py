"""Voice calls (issue 15): SOS terminals' and 102 calls answered from the desk, their queue, claim and recordings."""
