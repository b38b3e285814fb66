"""``python -m flashpoint``: the same CLI as the ``flashpoint`` script."""

from .cli import main

main()
