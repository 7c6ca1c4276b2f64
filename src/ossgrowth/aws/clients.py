"""boto3 clients for the Lambda handlers: one region and endpoint rule for every AWS service.

The region is the environment's (Lambda sets ``AWS_REGION`` and ``AWS_DEFAULT_REGION``). The
endpoint is AWS's own unless overridden: ``AWS_ENDPOINT_URL`` (and its per-service forms), which
boto3 reads by itself and which wins, else ``OSSGROWTH_AWS_ENDPOINT_URL`` (a local stand-in such
as moto's server, for tests and offline runs). boto3 is imported when the first client is made,
so a handler that needs none never loads it.
"""

from __future__ import annotations

import os
from typing import Any

from ossgrowth.errors import ConfigError

__all__ = ["ENDPOINT_VARIABLE", "STANDARD_ENDPOINT_VARIABLE", "aws_client", "endpoint_override"]

ENDPOINT_VARIABLE = "OSSGROWTH_AWS_ENDPOINT_URL"
STANDARD_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL"
_CONNECT_TIMEOUT_SECONDS = 5
_READ_TIMEOUT_SECONDS = 10
_MAX_ATTEMPTS = 3


def endpoint_override() -> str | None:
    """The endpoint to give boto3 explicitly: ``OSSGROWTH_AWS_ENDPOINT_URL`` when the standard
    ``AWS_ENDPOINT_URL`` is not set (boto3 honours that one itself), else ``None``."""
    if os.environ.get(STANDARD_ENDPOINT_VARIABLE):
        return None
    return os.environ.get(ENDPOINT_VARIABLE) or None


def aws_client(service: str) -> Any:
    """A new boto3 client of ``service`` (``secretsmanager``, ``cloudwatch`` …) with short
    timeouts and a few standard retries, for the environment's region and endpoint.

    Raises:
        ConfigError: no region is configured.
    """
    import boto3
    from botocore.config import Config
    from botocore.exceptions import NoRegionError

    config = Config(
        connect_timeout=_CONNECT_TIMEOUT_SECONDS,
        read_timeout=_READ_TIMEOUT_SECONDS,
        retries={"max_attempts": _MAX_ATTEMPTS, "mode": "standard"},
    )
    try:
        return boto3.session.Session().client(
            service, endpoint_url=endpoint_override(), config=config
        )
    except NoRegionError:
        raise ConfigError(
            f"no AWS region for {service}: set AWS_REGION (Lambda sets it by itself)"
        ) from None
