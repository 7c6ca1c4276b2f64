"""What the stack of an environment names what it deploys, as the ``ossgrowth aws`` commands
look for it: the stack, the functions and their log groups, the schedules, the secrets, the
outputs, staging's KeyValueStore and its key.

The CDK app (deploy/aws) gives these names; it is not importable from the package, so they
are written here again and ``tests/aws/test_operate.py`` holds the two equal. Pure.
"""

from __future__ import annotations

from ossgrowth.config import Environment

__all__ = [
    "ALERTS_SECRET",
    "API_SECRET",
    "CREDENTIALS_KEY",
    "FUNCTIONS",
    "GITHUB_TOKEN_SECRET",
    "OUTPUT_API_ENDPOINT",
    "OUTPUT_CREDENTIALS_STORE",
    "OUTPUT_URL",
    "SCHEDULES",
    "SCHEDULE_GROUP",
    "credentials_store_name",
    "function_name",
    "log_group_name",
    "schedule_name",
    "secret_name",
    "stack_name",
]

FUNCTIONS = (
    "api",
    "collect-stars",
    "collect-activity",
    "collect-downloads",
    "run-backfills",
    "deliver-alerts",
)
"""The functions of a stack, by the name it gives them after ``ossgrowth-{env}-``."""
SCHEDULES = (
    "collect-stars",
    "collect-activity",
    "collect-downloads",
    "run-backfills",
    "deliver-alerts",
)
"""The schedules of a stack, by the name it gives them after ``ossgrowth-{env}-``."""
SCHEDULE_GROUP = "default"
"""The Scheduler group the schedules are in (the stack names none)."""
GITHUB_TOKEN_SECRET = "github-token"
API_SECRET = "api"
ALERTS_SECRET = "alerts"
CREDENTIALS_KEY = "staging-basic-auth-sha256"
"""Staging's KeyValueStore key; its value is the SHA-256 of ``user:password`` (UTF-8), in
lowercase hex."""
OUTPUT_URL = "Url"
"""The stack output of the site's address (CloudFront), ``https://…``."""
OUTPUT_API_ENDPOINT = "ApiEndpoint"
"""The stack output of the HTTP API's own address (API Gateway), ``https://…``."""
OUTPUT_CREDENTIALS_STORE = "StagingCredentialsStore"
"""The stack output of staging's KeyValueStore ARN (staging only)."""


def stack_name(environment: Environment) -> str:
    """``ossgrowth-dev``, ``ossgrowth-staging``, ``ossgrowth-prod``."""
    return f"ossgrowth-{environment.value}"


def function_name(environment: Environment, function: str) -> str:
    """``ossgrowth-prod-collect-stars``: a function of :data:`FUNCTIONS` in ``environment``."""
    if function not in FUNCTIONS:
        raise ValueError(f"no function {function!r}; the stack has {', '.join(FUNCTIONS)}")
    return f"{stack_name(environment)}-{function}"


def log_group_name(environment: Environment, function: str) -> str:
    """``/aws/lambda/ossgrowth-prod-api``: the log group the stack gives a function."""
    return f"/aws/lambda/{function_name(environment, function)}"


def schedule_name(environment: Environment, schedule: str) -> str:
    """``ossgrowth-prod-collect-stars``: a schedule of :data:`SCHEDULES` in ``environment``."""
    return f"{stack_name(environment)}-{schedule}"


def secret_name(environment: Environment, purpose: str) -> str:
    """``ossgrowth/prod/github-token``, ``ossgrowth/prod/api`` or ``ossgrowth/prod/alerts``."""
    return f"ossgrowth/{environment.value}/{purpose}"


def credentials_store_name(environment: Environment) -> str:
    """``ossgrowth-staging-credentials``: the KeyValueStore staging's gate reads."""
    return f"{stack_name(environment)}-credentials"
