"""The Lambda deployment artifact: ossgrowth and its dependencies for one Lambda runtime and
architecture, as a reproducible zip (``ossgrowth aws package``; docs/aws.md).

How it is built:

1. ossgrowth itself: a wheel built from the source tree (``pip wheel --no-deps`` of a clean
   copy, so no stale build folder leaks in), unpacked; or, when ossgrowth runs from an installed
   wheel, the installed files. The dashboard's built files are package data and come along.
2. Its dependencies with the ``aws`` extra, except those every Lambda Python runtime provides
   (:data:`RUNTIME_PROVIDED`: boto3 and botocore), installed by pip from binary wheels for the
   target: ``--platform manylinux…_<machine> --implementation cp --python-version 3.11
   --only-binary=:all:``, from the configured index or, offline, only from a folder of wheels.
3. What differs between two builds of the same inputs is removed: ``__pycache__``, console
   scripts (their first line names the build machine's Python), ``direct_url.json``, and the
   lines of each ``RECORD`` that name a removed file (:mod:`ossgrowth.aws.installed`).
4. The folder is written as a reproducible zip (:mod:`ossgrowth.aws.archive`).

The boto3 of the Lambda runtime is older than the newest by weeks to months. ossgrowth calls
only long-standing DynamoDB and Secrets Manager operations, so it relies on the runtime's copy
(about 25 MB less to unpack); ``bundle_boto3`` puts the resolved boto3 in the zip instead.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from ossgrowth.aws.archive import ArchiveSummary, archive_time, write_reproducible_zip
from ossgrowth.aws.installed import (
    PackagingError,
    copy_distribution,
    merge_tree,
    prune_installed_tree,
    unpack_wheel,
)

__all__ = [
    "DIRECT_UPLOAD_LIMIT_BYTES",
    "RUNTIME_PROVIDED",
    "UNZIPPED_LIMIT_BYTES",
    "Architecture",
    "ArtifactReport",
    "PackageProgress",
    "PackageRequest",
    "PackagingError",
    "Runtime",
    "Target",
    "build_artifact",
    "megabytes",
    "package_ossgrowth",
    "select_requirements",
    "size_warnings",
]

UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024
"""Lambda's limit on a function's code and layers, unzipped."""
DIRECT_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024
"""Lambda's limit on a zip uploaded directly (larger ones go through S3, as CDK's do)."""
RUNTIME_PROVIDED = frozenset({"boto3", "botocore"})
"""Distributions every Lambda Python runtime has: left out of the artifact."""
PROJECT = "ossgrowth"
PROJECT_EXTRAS = frozenset({"aws"})
REQUIRED_FILES = {
    "ossgrowth/aws/handlers.py": "the Lambda entry points are missing: is the source complete?",
    "ossgrowth/web/static/index.html": "build the dashboard first (make venv)",
}
"""Files without which the artifact is useless (the functions' handlers, the dashboard's page),
with what to do when one is missing."""
_SOURCE_FILES = ("pyproject.toml", "README.md")
_PIP_ERROR_LINES = 6


class Runtime(StrEnum):
    """The Lambda Python runtimes the artifact can be built for."""

    PYTHON_3_11 = "python3.11"
    PYTHON_3_12 = "python3.12"


class Architecture(StrEnum):
    """Lambda's instruction set architectures."""

    ARM64 = "arm64"
    X86_64 = "x86_64"


_GLIBC_MINOR = {Runtime.PYTHON_3_11: 26, Runtime.PYTHON_3_12: 34}
"""glibc 2.x of each runtime's OS: Amazon Linux 2 (2.26) and Amazon Linux 2023 (2.34)."""
_MACHINE = {Architecture.ARM64: "aarch64", Architecture.X86_64: "x86_64"}


@dataclass(frozen=True, slots=True)
class Target:
    """A Lambda runtime on an architecture: which wheels fit it."""

    runtime: Runtime = Runtime.PYTHON_3_11
    architecture: Architecture = Architecture.ARM64

    @property
    def python_version(self) -> str:
        """``3.11`` for ``python3.11``."""
        return self.runtime.value.removeprefix("python")

    @property
    def machine(self) -> str:
        """The machine name of wheel tags and ``platform.machine()``: aarch64 or x86_64."""
        return _MACHINE[self.architecture]

    def platform_tags(self) -> tuple[str, ...]:
        """Wheel platform tags the runtime's glibc runs: ``manylinux2014_<machine>`` and every
        ``manylinux_2_N_<machine>`` from 2.17 up to the runtime's glibc."""
        glibc_tags = (
            f"manylinux_2_{minor}_{self.machine}"
            for minor in range(_GLIBC_MINOR[self.runtime], 16, -1)
        )
        return (f"manylinux2014_{self.machine}", *glibc_tags)

    def marker_environment(self) -> dict[str, str]:
        """The values environment markers (PEP 508) see on the runtime."""
        return {
            "implementation_name": "cpython",
            "implementation_version": f"{self.python_version}.0",
            "os_name": "posix",
            "platform_machine": self.machine,
            "platform_python_implementation": "CPython",
            "platform_system": "Linux",
            "python_full_version": f"{self.python_version}.0",
            "python_version": self.python_version,
            "sys_platform": "linux",
        }


@dataclass(frozen=True, slots=True)
class PackageRequest:
    """What to build, where, and from which wheels.

    ``wheel_dir`` set: pip reads only that folder (``--no-index --find-links``), for offline
    and pinned builds; unset, pip uses its configured index.
    """

    output: Path
    target: Target = Target()
    wheel_dir: Path | None = None
    bundle_boto3: bool = False
    source_date_epoch: str | None = None


@dataclass(frozen=True, slots=True)
class ArtifactReport:
    """The written artifact: where, for what, its size and checksum, and size warnings."""

    path: Path
    target: Target
    version: str
    archive: ArchiveSummary
    warnings: tuple[str, ...]


class PackageProgress(Protocol):
    """Told what the build is doing; the CLI draws it."""

    def step(self, label: str) -> None:
        """A new step began."""

    def advance(self, done: int, total: int) -> None:
        """``done`` of ``total`` files of the current step are written."""


def select_requirements(
    requires_dist: Iterable[str],
    target: Target,
    *,
    extras: Iterable[str] = PROJECT_EXTRAS,
    excluded: Iterable[str] = RUNTIME_PROVIDED,
) -> list[str]:
    """The requirements to install for ``target``: each Requires-Dist line whose marker holds
    there with no extra or one of ``extras``, less the ``excluded`` distributions, without
    their markers (``boto3>=1.34; extra == "aws"`` becomes ``boto3>=1.34``), in order.

    Raises:
        PackagingError: a line is not a valid requirement, or ``packaging`` is missing.
    """
    try:  # a build-time tool: the CLI and the Lambda functions never need it
        from packaging.requirements import InvalidRequirement, Requirement
        from packaging.utils import canonicalize_name
    except ImportError:
        raise PackagingError(
            "packaging the artifact needs `packaging`: pip install packaging"
        ) from None
    environment = target.marker_environment()
    dropped = {canonicalize_name(name) for name in excluded}
    selected: list[str] = []
    for line in requires_dist:
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise PackagingError(f"invalid requirement {line!r}: {error}") from None
        if canonicalize_name(requirement.name) in dropped:
            continue
        marker = requirement.marker
        if marker is not None and not any(
            marker.evaluate({**environment, "extra": extra}) for extra in ("", *extras)
        ):
            continue
        requirement.marker = None
        if str(requirement) not in selected:
            selected.append(str(requirement))
    return selected


def size_warnings(compressed_bytes: int, unpacked_bytes: int) -> tuple[str, ...]:
    """What a user must hear about the artifact's size against Lambda's limits."""
    warnings = []
    if unpacked_bytes > UNZIPPED_LIMIT_BYTES:
        warnings.append(
            f"unpacked, the artifact is {megabytes(unpacked_bytes)}, above Lambda's limit of "
            f"{megabytes(UNZIPPED_LIMIT_BYTES)} for a function with its layers: "
            "the deployment will be refused"
        )
    if compressed_bytes > DIRECT_UPLOAD_LIMIT_BYTES:
        warnings.append(
            f"the zip is {megabytes(compressed_bytes)}, above Lambda's limit of "
            f"{megabytes(DIRECT_UPLOAD_LIMIT_BYTES)} for a direct upload: deploy it through "
            "S3 (the CDK app does)"
        )
    return tuple(warnings)


def package_ossgrowth(request: PackageRequest, progress: PackageProgress) -> ArtifactReport:
    """Build ossgrowth's artifact: from its source tree when it runs from one (an editable
    install), else from its installed files.

    Raises:
        PackagingError: pip failed, or a needed file (the dashboard's page) is missing.
    """
    with tempfile.TemporaryDirectory(prefix="ossgrowth-package-") as work:
        source_tree = _source_tree()
        project: Path | importlib.metadata.Distribution
        if source_tree is not None:
            progress.step(f"building the {PROJECT} wheel")
            project = _build_wheel(source_tree, Path(work), request.wheel_dir)
        else:
            project = importlib.metadata.distribution(PROJECT)
        return build_artifact(project, request, progress, required_files=REQUIRED_FILES)


def build_artifact(
    project: Path | importlib.metadata.Distribution,
    request: PackageRequest,
    progress: PackageProgress,
    *,
    required_files: Mapping[str, str] | None = None,
) -> ArtifactReport:
    """Build the artifact of ``project`` (a pure wheel, or an installed distribution) and its
    dependencies for ``request.target``, and write it to ``request.output``.

    ``required_files`` maps each file the artifact must hold (a path in the zip) to what to
    do when it does not.

    Raises:
        PackagingError: pip failed, or one of ``required_files`` is not in the artifact.
    """
    target = request.target
    excluded = set() if request.bundle_boto3 else RUNTIME_PROVIDED
    date_time = _archive_time(request.source_date_epoch)
    with tempfile.TemporaryDirectory(prefix="ossgrowth-artifact-") as work:
        staging = Path(work) / "artifact"
        staging.mkdir()
        version, requires_dist = _place(project, staging)
        requirements = select_requirements(requires_dist, target, excluded=excluded)
        if requirements:
            progress.step(f"installing {len(requirements)} requirements for {_describe(target)}")
            dependencies = Path(work) / "dependencies"
            _run_pip(
                _pip_install_arguments(target, requirements, dependencies, request),
                hint=_wheel_dir_hint(request.wheel_dir, f"every wheel {_describe(target)} needs"),
            )
            merge_tree(dependencies, staging)
        progress.step("removing what differs between builds")
        prune_installed_tree(staging)
        for name, remedy in (required_files or {}).items():
            if not (staging / name).is_file():
                raise PackagingError(f"the artifact lacks {name}: {remedy}")
        progress.step(f"writing {request.output}")
        summary = write_reproducible_zip(
            staging, request.output, date_time=date_time, on_file=progress.advance
        )
    return ArtifactReport(
        path=request.output,
        target=target,
        version=version,
        archive=summary,
        warnings=size_warnings(summary.compressed_bytes, summary.unpacked_bytes),
    )


def _place(
    project: Path | importlib.metadata.Distribution, staging: Path
) -> tuple[str, Sequence[str]]:
    """Put the project's own files into ``staging``; return its version and Requires-Dist."""
    if isinstance(project, Path):
        return unpack_wheel(project, staging)
    copy_distribution(project, staging)
    return project.version, project.requires or []


def _describe(target: Target) -> str:
    return f"{target.runtime.value} {target.architecture.value}"


def _archive_time(source_date_epoch: str | None) -> tuple[int, int, int, int, int, int]:
    try:
        return archive_time(source_date_epoch)
    except ValueError as error:
        raise PackagingError(str(error)) from None


def megabytes(size_bytes: int) -> str:
    """``12.3 MB``: a size in mebibytes, as Lambda states its limits."""
    return f"{size_bytes / 1024 / 1024:.1f} MB"


def _index_arguments(wheel_dir: Path | None) -> list[str]:
    if wheel_dir is None:
        return []
    if not wheel_dir.is_dir():
        raise PackagingError(f"--wheel-dir {wheel_dir} is not a folder")
    return ["--no-index", "--find-links", str(wheel_dir.resolve())]


def _wheel_dir_hint(wheel_dir: Path | None, needed: str) -> str:
    if wheel_dir is None:
        return ""
    return f"({wheel_dir} must hold {needed}; docs/aws.md shows how to fill it)"


def _pip_install_arguments(
    target: Target, requirements: Sequence[str], into: Path, request: PackageRequest
) -> list[str]:
    """pip's command line: binary wheels for ``target`` only, into the folder ``into``."""
    platforms = [argument for tag in target.platform_tags() for argument in ("--platform", tag)]
    return [
        *("install", "--target", str(into), "--no-compile", "--no-warn-script-location"),
        *("--implementation", "cp", "--python-version", target.python_version),
        *platforms,
        "--only-binary=:all:",
        *_index_arguments(request.wheel_dir),
        *requirements,
    ]


def _run_pip(arguments: Sequence[str], *, hint: str = "") -> None:
    """Run pip with ``arguments``; its errors become a :class:`PackagingError` (with ``hint``
    after pip's own words)."""
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    done = subprocess.run(
        [*command, *arguments],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    if done.returncode != 0:
        message = f"pip {arguments[0]} failed: {_pip_error(done.stderr or done.stdout)}"
        raise PackagingError(f"{message} {hint}".strip())


def _pip_error(output: str) -> str:
    """pip's ERROR lines (or its last line), joined into one message."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line.removeprefix("ERROR: ") for line in lines if line.startswith("ERROR:")]
    chosen = errors[:_PIP_ERROR_LINES] or lines[-1:] or ["no output"]
    return " / ".join(chosen)


def _source_tree() -> Path | None:
    """The source tree ossgrowth runs from (``src/ossgrowth`` under a pyproject.toml), if any."""
    package = Path(__file__).resolve().parents[1]
    root = package.parents[1]
    if package.parent.name != "src" or not (root / "pyproject.toml").is_file():
        return None
    declared = re.search(r'^name\s*=\s*"([^"]+)"', (root / "pyproject.toml").read_text(), re.M)
    return root if declared and declared[1] == PROJECT else None


def _build_wheel(source_tree: Path, work: Path, wheel_dir: Path | None) -> Path:
    """Build the project's wheel from a clean copy of ``source_tree`` (no build folder or
    egg-info of an earlier build can leak in); return its path."""
    copy = work / "source"
    copy.mkdir()
    for name in _SOURCE_FILES:
        shutil.copy2(source_tree / name, copy / name)
    for licence in source_tree.glob("LICEN[CS]E*"):
        shutil.copy2(licence, copy / licence.name)
    ignored = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "static.building")
    shutil.copytree(source_tree / "src", copy / "src", ignore=ignored)
    wheels = work / "wheel"
    _run_pip(
        [
            *("wheel", "--no-deps", "--wheel-dir", str(wheels)),
            *_index_arguments(wheel_dir),
            str(copy),
        ],
        hint=_wheel_dir_hint(wheel_dir, "setuptools>=77 to build ossgrowth's wheel"),
    )
    (wheel,) = wheels.glob(f"{PROJECT}-*.whl")
    return wheel
