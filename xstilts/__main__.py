"""`python -m xstilts` runs the command line."""

from xstilts.cli import app

app()
