"""``python -m yima`` is the ``yima`` command."""

from yima.cli import main

# Guarded: worker processes (spawned, not forked) import the main module again.
if __name__ == "__main__":
    main()
