"""cfn-lint passes every synthesized template: no error, and no warning but the one that
aws-cdk-lib writes into every template it makes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import Synthesized

pytestmark = pytest.mark.slow  # needs the three stacks synthesized (15-30 s), then lints them

CFN_LINT = Path(sys.executable).with_name("cfn-lint")
IGNORED = {
    # "dependency already enforced by a GetAtt": aws-cdk-lib makes each Lambda function
    # DependsOn its role *and* the role's policy, so the function starts only once its
    # permissions exist; the role half duplicates the GetAtt of Role, which is harmless
    "W3005",
}


def test_cfn_lint_finds_nothing_in_any_template(synthesized: Synthesized) -> None:
    templates = [synthesized.template_path(environment) for environment in synthesized.templates]
    assert len(templates) == 3
    finished = subprocess.run(
        [
            str(CFN_LINT),
            "--format",
            "parseable",
            "--regions",
            "eu-central-1",
            "us-west-2",
            "--ignore-checks",
            *sorted(IGNORED),
            "--",
            *map(str, templates),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert finished.stdout.strip() == ""


def test_cfn_lint_reports_a_broken_template(synthesized: Synthesized, tmp_path: Path) -> None:
    """The lint above would fail on an error: a table without its key schema is one."""
    broken = tmp_path / "broken.template.json"
    text = synthesized.template_path("dev").read_text()
    broken.write_text(text.replace('"KeySchema"', '"KeySchemaX"', 1))
    finished = subprocess.run(
        [str(CFN_LINT), "--format", "parseable", "--", str(broken)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert finished.returncode != 0
    assert ":E3" in finished.stdout  # a schema error, with its line
