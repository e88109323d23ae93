"""The refresh engine: which feeds to check, and what one check changes (see plan.py)."""
