"""Errors storage raises for things a user did, with messages fit to show them (the
`tidings.errors` family: front ends catch UserError)."""

from tidings.errors import UserError


class NotFound(UserError, LookupError):
    """The record asked for does not exist."""


class Conflict(UserError, ValueError):
    """The write would break a uniqueness rule (a feed URL, a user or category name)."""


class LimitReached(UserError, ValueError):
    """The write would go over a limit the site sets (a reader's number of subscriptions).

    Not a Conflict: the front ends treat a Conflict as "you have that already" and pass over it,
    which would hide this refusal; as a ValueError it reaches the user as a refusal of the input.
    """


class StorageError(RuntimeError):
    """The database cannot be used; the message is one line for the user.

    Defined here, beside the user errors and apart from database.py, so that the CLI can catch
    it without importing SQLAlchemy (`tidings --help` imports no database code).
    """
