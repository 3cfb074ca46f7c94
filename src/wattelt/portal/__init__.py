"""Mijn Wat telt: the resident's own door to their plan, progress and file (issue 12)."""
