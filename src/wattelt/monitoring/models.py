"""Monitoring reads the instrument's tables; it has no models of its own (yet)."""
