"""``python -m ossgrowth``: the same as the ``ossgrowth`` command."""

from ossgrowth.cli import main

main()
