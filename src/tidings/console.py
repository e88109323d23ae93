"""The `tidings` console script's entry point, kept free of imports.

A spawned parse process imports the parent's main module again; the console script's module is
that main module, so importing the whole CLI stack at its top would cost each parse process
almost a second. The CLI is imported only when the command runs.
"""


def main() -> None:
    """Run the `tidings` command."""
    from tidings.cli import main as cli_main

    cli_main()
