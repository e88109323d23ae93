"""Errors storage raises for things a user did, with messages fit to show them."""


class NotFound(LookupError):
    """The record asked for does not exist."""


class Conflict(ValueError):
    """The write would break a uniqueness rule (a feed URL, a user or category name)."""


class LimitReached(ValueError):
    """The write would go over a limit the site sets (a reader's number of subscriptions).

    Not a Conflict: the front ends treat a Conflict as "you have that already" and pass over it,
    which would hide this refusal; as a ValueError it reaches the user as a refusal of the input.
    """
