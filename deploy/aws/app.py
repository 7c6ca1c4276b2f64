"""The CDK app: ``python deploy/aws/app.py`` writes every stack's template to deploy/aws/cdk.out.

Synthesizes offline: no AWS call, no CDK CLI needed. ``-c name=value`` (repeatable) gives CDK
context, as the CLI's option does. Under the CDK CLI (``cdk deploy``, ``cdk synth``) the CLI's
output directory and context apply instead. Context: ``account``, ``region``, ``timezone``
(default America/Los_Angeles), ``table_prefix``, ``lambda_artifact`` (the zip ``ossgrowth aws
package`` builds; required to deploy), ``lambda_architecture`` (arm64 or x86_64),
``dashboard_dir``, ``alarm_email``, and for e-mail alerts ``smtp_host``, ``smtp_port``,
``smtp_from``, ``smtp_user``, ``smtp_starttls``. See docs/aws.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUTDIR = HERE / "cdk.out"

# aws-cdk-lib runs in Node.js, and prints a banner on a Node version it no longer supports
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
sys.path.insert(0, str(HERE))

from aws_cdk import App  # noqa: E402

from ossgrowth_stack import build_stacks  # noqa: E402


def context_pair(text: str) -> tuple[str, str]:
    """``name=value`` → ``(name, value)``."""
    name, separator, value = text.partition("=")
    if not separator or not name:
        raise argparse.ArgumentTypeError(f"expected name=value, not {text!r}")
    return name, value


def main(argv: list[str] | None = None) -> None:
    """Synthesize the three stacks into ``$CDK_OUTDIR`` (set by the CLI) or deploy/aws/cdk.out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-c",
        "--context",
        action="append",
        type=context_pair,
        default=[],
        metavar="NAME=VALUE",
        help="CDK context, e.g. -c lambda_artifact=dist/lambda-arm64.zip",
    )
    arguments = parser.parse_args(argv)
    outdir = os.environ.get("CDK_OUTDIR") or str(DEFAULT_OUTDIR)
    app = App(outdir=outdir, context=dict(arguments.context) or None)
    try:
        stacks = build_stacks(app)
    except ValueError as error:  # a setting that cannot work: say which, without a traceback
        parser.exit(1, f"Error: {error}\n")
    app.synth()
    if "CDK_OUTDIR" not in os.environ:  # run by hand or by make, not by the CDK CLI
        names = ", ".join(stack.stack_name for stack in stacks.values())
        print(f"{names}: templates in {outdir}")


if __name__ == "__main__":
    main()
