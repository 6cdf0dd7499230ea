"""Compliance area (pure core; services, tables and routes are wired after the area-packages move)."""
