"""`python -m cscomp_cli` runs the cscomp command."""

from cscomp_cli.cli import main

main()
