"""`python -m db` runs the accords command."""

from .cli import main

main()
