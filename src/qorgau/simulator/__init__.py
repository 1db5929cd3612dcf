"""The live model of Aksai: a simulator that drives Qorgau over the real protocols (DC-09, MQTT, SIP, HTTP).

It never calls Qorgau's internals: it talks to a running server as the town's devices, patrols and callers would,
so the same program is the demo a newcomer sees and the load generator of the benchmarks.
"""
