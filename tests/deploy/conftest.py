"""The CDK app's stacks, synthesized once per run into a temporary folder.

Synthesis runs aws-cdk-lib in Node.js and takes tens of seconds for the three stacks, so one
session fixture builds them (from a fake Lambda artifact and a small dashboard folder) and
every test reads the same templates.
"""

from __future__ import annotations

import json
import os
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

DEPLOY_AWS = Path(__file__).resolve().parents[2] / "deploy" / "aws"
if str(DEPLOY_AWS) not in sys.path:
    sys.path.insert(0, str(DEPLOY_AWS))
# aws-cdk-lib's Node.js kernel prints a banner for any Node version it no longer supports
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

ACCOUNT = "123456789012"
REGION = "eu-central-1"


@dataclass(frozen=True)
class Synthesized:
    """The three stacks of one app, synthesized into ``outdir``."""

    outdir: Path
    artifact: Path
    stacks: dict[str, Any]
    """``OssgrowthStack`` by environment."""
    templates: dict[str, dict[str, Any]]
    """Each environment's CloudFormation template, as JSON."""

    def template_path(self, environment: str) -> Path:
        return self.outdir / f"ossgrowth-{environment}.template.json"


def write_artifact(folder: Path) -> Path:
    """A zip standing in for ``ossgrowth aws package``'s artifact (never run here)."""
    artifact = folder / "lambda-arm64.zip"
    with zipfile.ZipFile(artifact, "w") as archive:
        archive.writestr("ossgrowth/aws/handlers.py", "# stands in for the real handlers\n")
    return artifact


def write_dashboard(folder: Path) -> Path:
    """A built dashboard's shape: the page, a manifest and hashed assets."""
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>ossgrowth</title>\n")
    (folder / "manifest.json").write_text('{"app_js": "assets/app-TEST.js"}\n')
    (folder / "assets" / "app-TEST.js").write_text("console.log('dashboard');\n")
    return folder


def synthesize(outdir: Path, context: dict[str, str], build: Callable[[Any], Any]) -> Any:
    """Run ``build(app)`` on a fresh app writing to ``outdir`` and synthesize it."""
    from aws_cdk import App

    app = App(outdir=str(outdir), context=context)
    built = build(app)
    app.synth()
    return built


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    from ossgrowth_stack import build_stacks

    inputs = tmp_path_factory.mktemp("inputs")
    artifact = write_artifact(inputs)
    dashboard = write_dashboard(inputs / "dashboard")
    outdir = tmp_path_factory.mktemp("cdk.out")
    context = {
        "account": ACCOUNT,
        "region": REGION,
        "lambda_artifact": str(artifact),
        "dashboard_dir": str(dashboard),
    }
    stacks = synthesize(outdir, context, build_stacks)
    templates = {
        environment: json.loads((outdir / f"{stack.stack_name}.template.json").read_text())
        for environment, stack in stacks.items()
    }
    return Synthesized(outdir, artifact, stacks, templates)
