"""The commands of `cscomp`, one module per kind of question; cli.py registers them, emit.py writes their results."""
