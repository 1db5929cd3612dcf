"""Prometheus metrics of one process, in a registry of its own (several apps may live in one test run)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "qorgau_http_requests", "HTTP requests by route template and status.",
            ["method", "route", "status"], registry=self.registry,
        )
        self.http_latency = Histogram(
            "qorgau_http_request_duration_seconds", "HTTP request duration by route template.",
            ["method", "route"], registry=self.registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.login_failures = Counter(
            "qorgau_login_failures", "Refused sign-ins by reason.", ["reason"], registry=self.registry
        )
        self.permission_denials = Counter(
            "qorgau_permission_denials", "Requests refused for lack of a permission.", ["permission"],
            registry=self.registry,
        )
        self.live_clients = Gauge(
            "qorgau_live_clients", "Connected event-stream clients.", registry=self.registry
        )
        self.live_events = Counter(
            "qorgau_live_events_sent", "Events pushed to live clients.", registry=self.registry
        )
        self.worker_restarts = Counter(
            "qorgau_worker_restarts", "Background workers restarted after a crash.", ["worker"],
            registry=self.registry,
        )
