"""`python -m kfstack` runs the CLI."""

from kfstack.cli import run

run()
