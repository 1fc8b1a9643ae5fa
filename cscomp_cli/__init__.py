"""cscomp: replay a CS compensation plan over exported history and compare it with what was paid."""

__version__ = "0.1.0"
