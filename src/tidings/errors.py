"""The family of errors that say why a person's request cannot be done.

Every layer raises these for what a user asked (never for a bug), with a sentence fit to show:
the web shows it on the page, each API turns it into its own shape (Miniflux
`{"error_message": …}` with 400/404 and Miniflux's own words, Google Reader a plain-text line
with 400/404/409, the CLI one line on stderr). Front ends catch `UserError`, not `ValueError`:
an internal ValueError is a bug, and stays a 500 with a logged traceback instead of passing as
the client's fault.
"""

from __future__ import annotations


class UserError(Exception):
    """A request that cannot be done as asked; str() is a sentence for the person."""


class InvalidInput(UserError, ValueError):
    """A value out of its limits or of the wrong form (a name too long, a password too short)."""
