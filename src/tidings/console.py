"""The `tidings` console script's entry point, kept free of imports (but the built-in `gc`).

A spawned parse process imports the parent's main module again; the console script's module is
that main module, so importing the whole CLI stack at its top would cost each parse process
almost a second. The CLI is imported only when the command runs.
"""

import gc


def main() -> None:
    """Run the `tidings` command; returns only by SystemExit (click's standalone mode)."""
    from tidings.cli import main as cli_main

    try:
        cli_main()
    finally:
        # The process exits next, and its finalization runs the cyclic collector over every
        # object still alive: SQLAlchemy's and the CLI's, ~100,000 of them, none garbage. Frozen,
        # they are skipped (atexit handlers and finalizers still run): `tidings list` went from
        # ~320 to ~260 ms (docs/design.md, "Startup").
        gc.freeze()
