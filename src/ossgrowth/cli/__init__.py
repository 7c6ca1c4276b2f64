"""The ``ossgrowth`` command: a thin shell over settings, the store and the collectors.

:mod:`~ossgrowth.cli.app` holds the Typer app, its global options and :func:`main` (the
console script); each command group is a module of its own: :mod:`~ossgrowth.cli.repos`
(``track``, ``untrack``, ``list``, ``show``), :mod:`~ossgrowth.cli.collect` (``collect``,
``backfill``), :mod:`~ossgrowth.cli.serve` (``serve``, ``demo``, ``simulator``),
:mod:`~ossgrowth.cli.data` (``export`` … ``migrate``), :mod:`~ossgrowth.cli.inspect`
(``runs`` … ``doctor``), :mod:`~ossgrowth.cli.db`, :mod:`~ossgrowth.cli.config` and
:mod:`~ossgrowth.cli.aws` (with :mod:`~ossgrowth.cli.aws_operate`). What they share is in
:mod:`~ossgrowth.cli.state` (settings and store on first use, exit codes) and
:mod:`~ossgrowth.cli.output` (tables and JSON).
"""

from ossgrowth.cli.app import app, main

__all__ = ["app", "main"]
