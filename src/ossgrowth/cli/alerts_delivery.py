"""``ossgrowth alerts deliver``: send the due alert deliveries once, then exit."""

from __future__ import annotations

import anyio
import typer

from ossgrowth.cli.state import PARTIAL_EXIT_CODE, state_of
from ossgrowth.clock import SystemClock
from ossgrowth.delivery import DeliveryDispatcher, DispatchResult
from ossgrowth.stopping import Stopped, until_stopped

__all__ = ["deliver"]


def deliver(context: typer.Context) -> None:
    """Send every alert delivery that is due now, then exit: for cron, after collect --once.

    `ossgrowth serve` and `ossgrowth collect` send them by themselves; this is for
    deployments that run neither. A delivery that fails for now waits for its next try
    (this command run again later sends it when due); docs/alerts.md says when and how often.

    Exit status: 0 when every delivery tried was delivered, or none was due; 3 when some
    failed for good or wait for another try; 2 for bad settings.

    Example: ossgrowth alerts deliver
    """
    state = state_of(context)
    dispatcher = DeliveryDispatcher.from_settings(state.settings(), state.store(), SystemClock())
    try:
        result: DispatchResult = anyio.run(until_stopped, dispatcher.run_until_idle)
    except Stopped as stopped:
        typer.echo(
            f"{stopped}: what was delivered is recorded; a delivery cut off mid-send is sent "
            "again (with the same delivery id) once its lease ends",
            err=True,
        )
        return
    typer.echo(result.describe())
    for delivery_id in result.failed:
        typer.echo(f"failed: {delivery_id}: {result.errors.get(delivery_id, '')}", err=True)
    for delivery_id in result.retrying:
        typer.echo(f"to retry: {delivery_id}: {result.errors.get(delivery_id, '')}", err=True)
    if result.failed or result.retrying:
        raise typer.Exit(PARTIAL_EXIT_CODE)
