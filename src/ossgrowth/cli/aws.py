"""``ossgrowth aws …``: the commands of the serverless deployment (docs/aws.md).

``aws package`` builds the Lambda artifact (:mod:`ossgrowth.aws.package`). The operating
commands (``logs``, ``schedules``, ``scan``, ``call``, ``set-github-token``,
``set-staging-password``) work on the stack of the global ``--env``; they are in
:mod:`ossgrowth.cli.aws_operate`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from ossgrowth.aws.package import (
    DIRECT_UPLOAD_LIMIT_BYTES,
    UNZIPPED_LIMIT_BYTES,
    Architecture,
    ArtifactReport,
    PackageRequest,
    Runtime,
    Target,
    megabytes,
    package_ossgrowth,
)
from ossgrowth.cli import aws_operate

__all__ = ["PackageSteps", "aws_app"]

aws_app = typer.Typer(help="Deploy to AWS Lambda and DynamoDB (docs/aws.md).", no_args_is_help=True)


class PackageSteps:
    """The build's steps on stderr: a spinner per step, a bar while the zip is written, on a
    terminal; one line per step elsewhere (a CI log). Use it as a context manager."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console or Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self._console,
            transient=True,
            disable=not self._console.is_terminal,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> PackageSteps:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def step(self, label: str) -> None:
        """Start the step ``label``; the previous one is done."""
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(label, total=None)
        if not self._console.is_terminal:
            self._console.print(f"{label}…", highlight=False)

    def advance(self, done: int, total: int) -> None:
        """``done`` of ``total`` files of the step are written."""
        if self._task is not None:
            self._progress.update(self._task, completed=done, total=total)


@aws_app.command("package")
def package(
    runtime: Annotated[
        Runtime, typer.Option(help="The Lambda runtime the functions run on.")
    ] = Runtime.PYTHON_3_11,
    arch: Annotated[
        Architecture, typer.Option("--arch", help="The functions' architecture.")
    ] = Architecture.ARM64,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Zip to write. [default: dist/lambda-ARCH.zip]",
            show_default=False,
        ),
    ] = None,
    wheel_dir: Annotated[
        Path | None,
        typer.Option(
            help="Install only from the wheels in this folder (offline, pinned builds); "
            "without it pip uses its configured index.",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    bundle_boto3: Annotated[
        bool,
        typer.Option(help="Put boto3 and botocore in the zip instead of using the runtime's."),
    ] = False,
) -> None:
    """Build the Lambda deployment artifact: ossgrowth (with the dashboard) and its
    dependencies as binary wheels for the runtime and architecture, as a reproducible zip.

    Two builds from the same sources and wheels give the same bytes (entries sorted, times
    fixed at 1980-01-01 or SOURCE_DATE_EPOCH, modes fixed). boto3 and botocore are left to
    the Lambda runtime unless --bundle-boto3. Prints the size against Lambda's limits.

    Example: ossgrowth aws package --runtime python3.11 --arch arm64 -o dist/lambda-arm64.zip
    """
    request = PackageRequest(
        output=output or Path("dist") / f"lambda-{arch.value}.zip",
        target=Target(runtime=runtime, architecture=arch),
        wheel_dir=wheel_dir,
        bundle_boto3=bundle_boto3,
        source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"),
    )
    with PackageSteps() as steps:
        report = package_ossgrowth(request, steps)
    _print_report(report)


def _print_report(report: ArtifactReport) -> None:
    archive = report.archive
    target = report.target
    typer.echo(
        f"wrote {report.path}: ossgrowth {report.version} for {target.runtime.value} "
        f"{target.architecture.value}, {archive.files:,} files"
    )
    typer.echo(
        f"size: {megabytes(archive.compressed_bytes)} zipped, "
        f"{megabytes(archive.unpacked_bytes)} unpacked (Lambda's limits: "
        f"{DIRECT_UPLOAD_LIMIT_BYTES // 2**20} MB zipped for a direct upload, "
        f"{UNZIPPED_LIMIT_BYTES // 2**20} MB unpacked)"
    )
    typer.echo(f"sha256: {archive.sha256}")
    for warning in report.warnings:
        typer.echo(f"Warning: {warning}", err=True)


aws_operate.register(aws_app)
