"""The Lambda functions' code: the artifact ``ossgrowth aws package`` builds, or a placeholder.

A user deploys with ``-c lambda_artifact=PATH`` (the zip, or a folder holding the same files:
the ``ossgrowth`` package and its dependencies, built for the functions' architecture). Without
it the app still synthesizes, for tests and for reading the templates, from a placeholder folder
written into the output directory; each stack then carries an error annotation, which makes
``cdk deploy`` refuse it, so the placeholder never reaches AWS.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Annotations, Stack, Stage
from aws_cdk import aws_lambda as lambda_

__all__ = ["MISSING_ARTIFACT_MESSAGE", "PLACEHOLDER_DIR_NAME", "lambda_code"]

PLACEHOLDER_DIR_NAME = "lambda-placeholder"
MISSING_ARTIFACT_MESSAGE = (
    "no Lambda artifact: build it with `ossgrowth aws package` and pass its path with "
    "-c lambda_artifact=PATH; this template was synthesized with a placeholder and cannot be "
    "deployed"
)
_PLACEHOLDER_NOTE = (
    "Not deployable: stands in for the Lambda artifact when the CDK app is synthesized without\n"
    "-c lambda_artifact=PATH (the zip `ossgrowth aws package` builds).\n"
)


def lambda_code(stack: Stack, artifact: Path | None) -> lambda_.Code:
    """The code of every function of ``stack``: ``artifact`` (a zip or a folder), or, when it
    is ``None``, a placeholder folder in the app's output directory plus an error annotation
    on ``stack``.

    Raises:
        ValueError: ``artifact`` names nothing.
    """
    if artifact is not None:
        if not artifact.exists():
            raise ValueError(f"lambda_artifact {artifact} does not exist")
        return lambda_.Code.from_asset(str(artifact))
    Annotations.of(stack).add_error(MISSING_ARTIFACT_MESSAGE)
    stage = Stage.of(stack)
    assert stage is not None
    placeholder = Path(stage.outdir) / PLACEHOLDER_DIR_NAME
    placeholder.mkdir(parents=True, exist_ok=True)
    (placeholder / "README.txt").write_text(_PLACEHOLDER_NOTE)
    return lambda_.Code.from_asset(str(placeholder))
