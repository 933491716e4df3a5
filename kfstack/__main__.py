"""`python -m kfstack` runs the CLI."""

from kfstack.cli import main

main()
