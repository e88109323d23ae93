"""Hostile input: documents built to exhaust time, memory or the database."""
