"""`python -m tidings`: the same as the `tidings` command."""

# The guard matters: parse processes are spawned, and a spawned child imports the parent's main
# module again (as __mp_main__); it must not run the command a second time.
if __name__ == "__main__":
    from tidings.console import main

    main()
