"""`python -m cscomp_cli` runs the cscomp command."""

from .cli import main

main()
