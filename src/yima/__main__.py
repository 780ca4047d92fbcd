"""``python -m yima`` is the ``yima`` command."""

from yima.cli import main

main()
