"""Errors storage raises for things a user did, with messages fit to show them."""


class NotFound(LookupError):
    """The record asked for does not exist."""


class Conflict(ValueError):
    """The write would break a uniqueness rule (a feed URL, a user or category name)."""
