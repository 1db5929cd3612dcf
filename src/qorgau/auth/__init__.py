"""Users, roles and permissions, web sessions and API tokens."""
