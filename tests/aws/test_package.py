"""The Lambda artifact: a reproducible zip of the project and its dependencies for one runtime
and architecture, built from wheels by pip (``ossgrowth aws package``).

The zip writer and the pure rules run on small synthetic trees. The builds run pip for real,
offline, over a folder of small wheels made here (a project, a native dependency in an aarch64
and an x86_64 build, a pure one, a stand-in boto3). One slow test builds ossgrowth's own
artifact from the configured index and looks inside it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata
import importlib.util
import io
import os
import platform
import stat
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ossgrowth.aws.archive import archive_time, write_reproducible_zip
from ossgrowth.aws.installed import prune_installed_tree
from ossgrowth.aws.package import (
    DIRECT_UPLOAD_LIMIT_BYTES,
    UNZIPPED_LIMIT_BYTES,
    Architecture,
    PackageRequest,
    PackagingError,
    Runtime,
    Target,
    build_artifact,
    select_requirements,
    size_warnings,
)
from ossgrowth.cli import main

ROOT = Path(__file__).resolve().parents[2]
ARM64 = Target(Runtime.PYTHON_3_11, Architecture.ARM64)
X86_64 = Target(Runtime.PYTHON_3_11, Architecture.X86_64)
ELF_MACHINE = {"aarch64": 183, "x86_64": 62}
HANDLERS = {"demo_app/handlers.py": "is the project whole?"}


class Steps:
    """A progress that remembers the steps it was told."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.files_written = 0

    def step(self, label: str) -> None:
        self.labels.append(label)

    def advance(self, done: int, total: int) -> None:
        assert 0 < done <= total
        self.files_written = done


def write_tree(
    root: Path, files: dict[str, bytes], *, order: Callable[[list[str]], list[str]]
) -> None:
    for name in order(list(files)):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])


def make_wheel(
    folder: Path,
    name: str,
    version: str,
    files: dict[str, bytes],
    *,
    tag: str = "py3-none-any",
    requires: tuple[str, ...] = (),
) -> Path:
    """A valid wheel: the files, METADATA, WHEEL and a RECORD of their hashes."""
    dist_info = f"{name}-{version}.dist-info"
    metadata = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    metadata += [f"Requires-Dist: {line}" for line in requires]
    extras = sorted(
        {line.split('extra == "')[1].split('"')[0] for line in requires if "extra ==" in line}
    )
    metadata += [f"Provides-Extra: {extra}" for extra in extras]
    members = {
        **files,
        f"{dist_info}/METADATA": ("\n".join(metadata) + "\n").encode(),
        f"{dist_info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\n"
            f"Root-Is-Purelib: {tag.endswith('any')}\nTag: {tag}\n"
        ).encode(),
    }
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for member, data in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        writer.writerow([member, f"sha256={digest}", len(data)])
    writer.writerow([f"{dist_info}/RECORD", "", ""])
    members[f"{dist_info}/RECORD"] = record.getvalue().encode()
    wheel = folder / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return wheel


def elf(machine: str) -> bytes:
    """The first bytes of a 64-bit little-endian ELF shared object for ``machine``."""
    return b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HH", 3, ELF_MACHINE[machine])


@pytest.fixture
def wheel_dir(tmp_path: Path) -> Path:
    """A folder of dependency wheels: demo_native for both machines, demo_pure, a boto3."""
    folder = tmp_path / "wheels"
    folder.mkdir()
    for machine in ("aarch64", "x86_64"):
        make_wheel(
            folder,
            "demo_native",
            "1.0",
            {f"demo_native/_speedups.cpython-311-{machine}-linux-gnu.so": elf(machine)},
            tag=f"cp311-cp311-manylinux2014_{machine}",
            requires=("demo_pure>=2",),
        )
    make_wheel(folder, "demo_pure", "2.1", {"demo_pure/__init__.py": b"VALUE = 21\n"})
    make_wheel(folder, "boto3", "1.40.0", {"boto3/__init__.py": b"__version__ = '1.40.0'\n"})
    return folder


@pytest.fixture
def project_wheel(tmp_path: Path) -> Path:
    """The project: a pure wheel needing demo_native, and boto3 with its `aws` extra."""
    folder = tmp_path / "project"
    folder.mkdir()
    return make_wheel(
        folder,
        "demo_app",
        "0.3.0",
        {
            "demo_app/__init__.py": b"import demo_native\n",
            "demo_app/handlers.py": b"def api(event, context):\n    return event\n",
        },
        requires=(
            "demo_native>=1.0",
            'boto3>=1.34; extra == "aws"',
            'pytest; extra == "dev"',
            'tomli; python_version < "3.11"',
        ),
    )


# --- the zip ----------------------------------------------------------------------------------


def test_the_same_files_give_the_same_bytes_whatever_their_times_modes_and_order(
    tmp_path: Path,
) -> None:
    files = {
        "pkg/__init__.py": b"",
        "pkg/module.py": b"X = 1\n" * 100,
        "pkg/data/page.html": b"<!doctype html>",
        "pkg/native.so": b"\x7fELF" + bytes(64),
        "top.py": b"print('top')\n",
    }
    first, second = tmp_path / "first", tmp_path / "second"
    write_tree(first, files, order=sorted)
    write_tree(second, files, order=lambda names: sorted(names, reverse=True))
    (first / "pkg/native.so").chmod(0o755)
    (second / "pkg/native.so").chmod(0o700)  # any execute bit counts the same
    (second / "pkg/module.py").chmod(0o600)
    os.utime(second / "top.py", (1_900_000_000, 1_900_000_000))

    made = [write_reproducible_zip(tree, tmp_path / f"{tree.name}.zip") for tree in (first, second)]

    assert (tmp_path / "first.zip").read_bytes() == (tmp_path / "second.zip").read_bytes()
    assert made[0] == made[1]
    assert made[0].files == 5
    assert made[0].unpacked_bytes == sum(len(data) for data in files.values())
    assert made[0].compressed_bytes == (tmp_path / "first.zip").stat().st_size
    assert made[0].sha256 == hashlib.sha256((tmp_path / "first.zip").read_bytes()).hexdigest()


def test_entries_are_sorted_files_with_one_time_fixed_modes_and_deflate(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write_tree(tree, {"b/z.py": b"z", "a.py": b"a", "b/a.py": b"ba", "run": b"#!"}, order=list)
    (tree / "run").chmod(0o775)
    (tree / "empty-folder").mkdir()

    write_reproducible_zip(tree, tmp_path / "out" / "tree.zip")

    with zipfile.ZipFile(tmp_path / "out" / "tree.zip") as archive:
        entries = archive.infolist()
        assert [entry.filename for entry in entries] == ["a.py", "b/a.py", "b/z.py", "run"]
        assert {entry.date_time for entry in entries} == {(1980, 1, 1, 0, 0, 0)}
        assert {entry.compress_type for entry in entries} == {zipfile.ZIP_DEFLATED}
        modes = {entry.filename: stat.S_IMODE(entry.external_attr >> 16) for entry in entries}
        assert modes == {"a.py": 0o644, "b/a.py": 0o644, "b/z.py": 0o644, "run": 0o755}
        assert archive.read("b/a.py") == b"ba"
    assert [path.name for path in (tmp_path / "out").iterdir()] == ["tree.zip"]  # no partial


def test_source_date_epoch_sets_the_time_and_never_before_1980() -> None:
    assert archive_time(None) == (1980, 1, 1, 0, 0, 0)
    assert archive_time("") == (1980, 1, 1, 0, 0, 0)
    assert archive_time("1767225600") == (2026, 1, 1, 0, 0, 0)
    assert archive_time("0") == (1980, 1, 1, 0, 0, 0)
    with pytest.raises(ValueError, match="whole seconds"):
        archive_time("yesterday")


# --- the rules --------------------------------------------------------------------------------


def test_platform_tags_follow_the_runtimes_glibc_and_machine() -> None:
    python311_arm = ARM64.platform_tags()
    assert python311_arm[0] == "manylinux2014_aarch64"
    assert "manylinux_2_17_aarch64" in python311_arm and "manylinux_2_26_aarch64" in python311_arm
    assert "manylinux_2_28_aarch64" not in python311_arm  # Amazon Linux 2 has glibc 2.26
    assert all(tag.endswith("_aarch64") for tag in python311_arm)
    python312_x86 = Target(Runtime.PYTHON_3_12, Architecture.X86_64).platform_tags()
    assert "manylinux_2_34_x86_64" in python312_x86 and "manylinux_2_35_x86_64" not in python312_x86
    assert Target(Runtime.PYTHON_3_12, Architecture.X86_64).python_version == "3.12"


def test_requirements_keep_the_aws_extra_and_the_targets_markers_but_not_boto3() -> None:
    requires = [
        "fastapi>=0.115",
        'boto3>=1.34; extra == "aws"',
        'mangum>=0.19; extra == "aws"',
        'psycopg[binary]>=3.1.18; extra == "postgres"',
        'tomli>=2; python_version < "3.11"',
        'exceptiongroup; python_version < "3.12"',
        'arm-only; platform_machine == "aarch64"',
        "fastapi>=0.115",
    ]
    assert select_requirements(requires, ARM64) == [
        "fastapi>=0.115",
        "mangum>=0.19",
        "exceptiongroup",
        "arm-only",
    ]
    python312_x86 = Target(Runtime.PYTHON_3_12, Architecture.X86_64)
    assert select_requirements(requires, python312_x86) == ["fastapi>=0.115", "mangum>=0.19"]
    bundled = select_requirements(requires, ARM64, excluded=())
    assert "boto3>=1.34" in bundled
    with_postgres = select_requirements(requires, ARM64, extras={"aws", "postgres"})
    assert "psycopg[binary]>=3.1.18" in with_postgres


def test_ossgrowths_own_requirements_for_lambda() -> None:
    requires = importlib.metadata.requires("ossgrowth") or []
    selected = select_requirements(requires, ARM64)
    names = {line.split(">")[0].split("[")[0].split("=")[0] for line in selected}
    assert {"fastapi", "pydantic", "mangum", "orjson"} <= names
    assert not names & {"boto3", "botocore", "psycopg", "pytest", "moto"}


def test_an_invalid_requirement_is_a_packaging_error() -> None:
    with pytest.raises(PackagingError, match="invalid requirement 'fastapi>>>1'"):
        select_requirements(["fastapi>>>1"], ARM64)


def test_pruning_removes_what_differs_between_builds_and_its_record_lines(tmp_path: Path) -> None:
    tree = tmp_path / "site"
    dist_info = "demo-1.0.dist-info"
    files = {
        "demo/__init__.py": b"",
        "demo/__pycache__/__init__.cpython-311.pyc": b"compiled",
        "demo/stray.pyc": b"compiled",
        "bin/demo": b"#!/home/someone/.venv/bin/python\n",
        f"{dist_info}/direct_url.json": b'{"url": "file:///home/someone/demo.whl"}',
        f"{dist_info}/METADATA": b"Name: demo\n",
    }
    write_tree(tree, files, order=list)
    record_lines = [
        "demo/__init__.py,sha256=x,0",
        "demo/__pycache__/__init__.cpython-311.pyc,,",
        "../../bin/demo,sha256=y,34",
        f"{dist_info}/direct_url.json,,",
        f"{dist_info}/METADATA,sha256=z,11",
        f"{dist_info}/RECORD,,",
    ]
    (tree / dist_info / "RECORD").write_text("\n".join(record_lines) + "\n")

    prune_installed_tree(tree)

    left = sorted(path.relative_to(tree).as_posix() for path in tree.rglob("*") if path.is_file())
    assert left == [f"{dist_info}/METADATA", f"{dist_info}/RECORD", "demo/__init__.py"]
    assert (tree / dist_info / "RECORD").read_text().splitlines() == [
        "demo/__init__.py,sha256=x,0",
        f"{dist_info}/METADATA,sha256=z,11",
        f"{dist_info}/RECORD,,",
    ]


@pytest.mark.parametrize(
    ("compressed", "unpacked", "expected"),
    [
        (10 * 2**20, 40 * 2**20, []),
        (DIRECT_UPLOAD_LIMIT_BYTES, UNZIPPED_LIMIT_BYTES, []),
        (DIRECT_UPLOAD_LIMIT_BYTES + 1, 60 * 2**20, ["above Lambda's limit of 50.0 MB"]),
        (
            70 * 2**20,
            UNZIPPED_LIMIT_BYTES + 1,
            ["above Lambda's limit of 250.0 MB", "above Lambda's limit of 50.0 MB"],
        ),
    ],
)
def test_size_warnings_name_the_limit_passed(
    compressed: int, unpacked: int, expected: list[str]
) -> None:
    warnings = size_warnings(compressed, unpacked)
    assert len(warnings) == len(expected)
    for warning, words in zip(warnings, expected, strict=True):
        assert words in warning


# --- builds with pip, offline -----------------------------------------------------------------


def build(project_wheel: Path, wheel_dir: Path, output: Path, **options: object) -> Steps:
    steps = Steps()
    request = PackageRequest(output=output, wheel_dir=wheel_dir, **options)  # type: ignore[arg-type]
    report = build_artifact(project_wheel, request, steps, required_files=HANDLERS)
    assert report.path == output and report.version == "0.3.0"
    assert report.archive.compressed_bytes == output.stat().st_size
    return steps


def names_in(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as archive:
        return archive.namelist()


def test_two_builds_from_the_same_wheels_are_byte_identical(
    tmp_path: Path, project_wheel: Path, wheel_dir: Path
) -> None:
    steps = build(project_wheel, wheel_dir, tmp_path / "one.zip")
    build(project_wheel, wheel_dir, tmp_path / "two.zip")

    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    assert steps.labels[0] == "installing 1 requirements for python3.11 arm64"
    assert steps.files_written == len(names_in(tmp_path / "one.zip"))


def test_the_artifact_holds_the_project_and_the_targets_wheels_but_not_boto3(
    tmp_path: Path, project_wheel: Path, wheel_dir: Path
) -> None:
    build(project_wheel, wheel_dir, tmp_path / "arm.zip")
    build(project_wheel, wheel_dir, tmp_path / "x86.zip", target=X86_64)

    arm = names_in(tmp_path / "arm.zip")
    assert "demo_app/handlers.py" in arm and "demo_pure/__init__.py" in arm
    assert "demo_native/_speedups.cpython-311-aarch64-linux-gnu.so" in arm
    assert not [name for name in arm if name.startswith(("boto3", "bin/", "tomli", "pytest"))]
    assert not [name for name in arm if "__pycache__" in name or name.endswith("direct_url.json")]
    with zipfile.ZipFile(tmp_path / "x86.zip") as archive:
        native = archive.read("demo_native/_speedups.cpython-311-x86_64-linux-gnu.so")
        assert struct.unpack("<H", native[18:20])[0] == ELF_MACHINE["x86_64"]
        record = archive.read("demo_native-1.0.dist-info/RECORD").decode()
        assert all(
            name in archive.namelist()
            for name in (row.split(",")[0] for row in record.splitlines())
        )


def test_bundle_boto3_puts_it_in(tmp_path: Path, project_wheel: Path, wheel_dir: Path) -> None:
    build(project_wheel, wheel_dir, tmp_path / "bundled.zip", bundle_boto3=True)
    assert "boto3/__init__.py" in names_in(tmp_path / "bundled.zip")


def test_a_missing_wheel_is_one_clear_error_naming_it(
    tmp_path: Path, project_wheel: Path, wheel_dir: Path
) -> None:
    (wheel_dir / "demo_pure-2.1-py3-none-any.whl").unlink()
    with pytest.raises(PackagingError) as raised:
        build(project_wheel, wheel_dir, tmp_path / "never.zip")
    message = str(raised.value)
    assert message.startswith("pip install failed: ")
    assert "demo_pure>=2" in message and str(wheel_dir) in message
    assert "\n" not in message and "Traceback" not in message
    assert not (tmp_path / "never.zip").exists()


def test_a_required_file_missing_from_the_artifact_is_an_error(
    tmp_path: Path, wheel_dir: Path
) -> None:
    bare = make_wheel(tmp_path, "demo_app", "0.3.0", {"demo_app/__init__.py": b""})
    with pytest.raises(PackagingError, match="lacks demo_app/handlers.py: is the project whole"):
        build(bare, wheel_dir, tmp_path / "never.zip")


def test_an_installed_distribution_is_packaged_from_its_recorded_files(
    tmp_path: Path, wheel_dir: Path
) -> None:
    site = tmp_path / "site-packages"
    dist_info = site / "demo_app-0.3.0.dist-info"
    write_tree(
        site,
        {
            "demo_app/__init__.py": b"",
            "demo_app/handlers.py": b"def api(event, context): ...\n",
            "demo_app/__pycache__/handlers.cpython-311.pyc": b"compiled",
            "not_recorded.py": b"",
        },
        order=list,
    )
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: demo_app\nVersion: 0.3.0\nRequires-Dist: demo_pure>=2\n"
    )
    (dist_info / "RECORD").write_text(
        "demo_app/__init__.py,,\ndemo_app/handlers.py,,\n"
        "demo_app/__pycache__/handlers.cpython-311.pyc,,\n../../bin/demo,,\n"
        "demo_app-0.3.0.dist-info/METADATA,,\ndemo_app-0.3.0.dist-info/RECORD,,\n"
    )
    distribution = importlib.metadata.PathDistribution(dist_info)
    output = tmp_path / "installed.zip"
    report = build_artifact(
        distribution,
        PackageRequest(output=output, wheel_dir=wheel_dir),
        Steps(),
        required_files=HANDLERS,
    )
    assert report.version == "0.3.0"
    assert names_in(output) == [
        "demo_app-0.3.0.dist-info/METADATA",
        "demo_app-0.3.0.dist-info/RECORD",
        "demo_app/__init__.py",
        "demo_app/handlers.py",
        "demo_pure-2.1.dist-info/INSTALLER",
        "demo_pure-2.1.dist-info/METADATA",
        "demo_pure-2.1.dist-info/RECORD",
        "demo_pure-2.1.dist-info/REQUESTED",
        "demo_pure-2.1.dist-info/WHEEL",
        "demo_pure/__init__.py",
    ]


# --- the command ------------------------------------------------------------------------------


def run_cli(
    capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, pytest.CaptureResult[str]]:
    try:
        main(list(args))
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    return code, capsys.readouterr()


def test_the_command_fails_with_one_line_when_pip_cannot_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "no-wheels"
    empty.mkdir()
    code, printed = run_cli(
        capsys, "aws", "package", "--wheel-dir", str(empty), "-o", str(tmp_path / "a.zip")
    )
    assert code == 1
    error = printed.err
    (line,) = [line for line in error.splitlines() if line.startswith("Error: ")]
    assert "setuptools>=77" in line and str(empty) in line
    assert "Traceback" not in error


HANDLERS_RESOLVE = """
import sys
sys.path.insert(0, sys.argv[1])
sys.path.append(sys.argv[2])  # after the artifact, as Lambda's runtime folder is
import ossgrowth
import ossgrowth.aws.handlers as handlers
names = (
    "api", "collect_stars", "collect_activity", "collect_downloads", "run_backfills",
    "deliver_alerts",
)
assert all(callable(getattr(handlers, name)) for name in names)
import ossgrowth.api.app, ossgrowth.aws.api_function, ossgrowth.aws.collectors, pydantic_core
loaded = {module.__name__: getattr(module, "__file__", "") for module in list(sys.modules.values())}
outside = sorted(
    name for name, file in loaded.items()
    if name.split(".")[0] in {"ossgrowth", "pydantic_core", "fastapi", "sqlalchemy", "mangum"}
    and not str(file).startswith(sys.argv[1])
)
assert not outside, outside
import boto3
assert boto3.__file__.startswith(sys.argv[2]), boto3.__file__  # the runtime's, not the zip's
print(ossgrowth.__version__)
"""
"""Run by a bare interpreter (no site-packages) over the unpacked artifact and a stand-in for
the runtime's own SDK: every handler named in the CDK app resolves, and the API's and
collectors' modules load from the artifact alone."""
RUNTIME_SDK = ("boto3", "botocore", "jmespath", "s3transfer", "dateutil", "six", "urllib3")
"""What every Lambda Python runtime provides beside the artifact."""


def runtime_sdk(folder: Path) -> Path:
    """A folder linking this environment's copies of the runtime's SDK, as Lambda offers it."""
    folder.mkdir()
    for name in RUNTIME_SDK:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None, name
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (folder / source.name).symlink_to(source)
    return folder


@pytest.mark.slow  # builds ossgrowth's wheel and installs its dependencies from the index (~20 s)
def test_ossgrowths_artifact_holds_the_dashboard_and_its_handlers_resolve_from_it_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Built for this machine's architecture, so its compiled wheels load here as on Lambda."""
    machine = platform.machine()
    if machine not in ELF_MACHINE or sys.version_info[:2] != (3, 11):
        pytest.skip(f"the artifact's wheels cannot load on {machine}, Python {sys.version}")
    arch = "arm64" if machine == "aarch64" else "x86_64"
    output = tmp_path / "dist" / f"lambda-{arch}.zip"
    code, printed = run_cli(capsys, "aws", "package", "--arch", arch, "-o", str(output))
    assert code == 0, printed.err
    assert f"wrote {output}: ossgrowth " in printed.out and f"python3.11 {arch}" in printed.out
    assert "zipped" in printed.out and "unpacked" in printed.out

    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
        assert {"ossgrowth/aws/handlers.py", "ossgrowth/web/static/index.html"} <= names
        assert not [name for name in names if name.startswith(("boto3/", "botocore/", "bin/"))]
        native = [name for name in names if name.endswith(".so")]
        assert native
        for name in native:
            assert struct.unpack("<H", archive.read(name)[18:20])[0] == ELF_MACHINE[machine], name
        assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        archive.extractall(unpacked)
    resolved = subprocess.run(
        [
            *(sys.executable, "-I", "-S", "-c", HANDLERS_RESOLVE),
            *(str(unpacked), str(runtime_sdk(tmp_path / "runtime"))),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert resolved.returncode == 0, resolved.stderr
    assert resolved.stdout.strip() == importlib.metadata.version("ossgrowth")
