"""HTTP API: the app factory, problem responses, middleware and the route-guard check."""
