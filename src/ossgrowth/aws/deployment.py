"""One environment's deployment as the ``ossgrowth aws`` commands reach it: boto3 clients for
its region (and a local stand-in's endpoint), its stack's outputs, and AWS's errors as one line.

The region is ``--region``, else what boto3 finds (``AWS_REGION``, ``AWS_DEFAULT_REGION``, the
profile). The endpoint is ``--endpoint-url``, else ``OSSGROWTH_AWS_ENDPOINT_URL`` unless the
standard ``AWS_ENDPOINT_URL`` is set (boto3 reads that one itself): moto's server, say. Every
call goes through :func:`aws_call`, which turns botocore's exceptions into an
:class:`AwsError` naming the call and what to do; AWS's messages never hold a secret's value,
and neither does anything added here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ossgrowth.aws import names
from ossgrowth.aws.clients import endpoint_override
from ossgrowth.config import Environment
from ossgrowth.errors import ConfigError, OssgrowthError

__all__ = ["AwsError", "Deployment", "aws_call"]

_CONNECT_TIMEOUT_SECONDS = 5
_READ_TIMEOUT_SECONDS = 20
_MAX_ATTEMPTS = 3
_ADVICE = {
    "AccessDeniedException": "your AWS credentials may not do this",
    "AccessDenied": "your AWS credentials may not do this",
    "UnrecognizedClientException": "AWS does not know these credentials",
    "ExpiredTokenException": "your AWS session expired; sign in again",
    "ExpiredToken": "your AWS session expired; sign in again",
    "ThrottlingException": "AWS throttled the call; try again in a moment",
}


class AwsError(OssgrowthError):
    """An AWS call failed; the message names the call and, where it can, what to do.

    Args:
        message: the one line to show.
        code: AWS's error code (``ResourceNotFoundException`` …), when AWS answered.
    """

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


@contextmanager
def aws_call(what: str) -> Iterator[None]:
    """Run AWS calls, turning botocore's errors into one line that starts with ``what``.

    Raises:
        AwsError: AWS refused the call, or could not be reached.
        ConfigError: no region, or an optional dependency the call needs is missing.
    """
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        MissingDependencyException,
        NoCredentialsError,
        NoRegionError,
    )

    try:
        yield
    except ClientError as error:
        details = error.response.get("Error", {})
        code = str(details.get("Code", "an error"))
        message = str(details.get("Message", "")).strip()
        advice = _ADVICE.get(code)
        text = f"{what}: {code}" + (f": {message}" if message else "")
        raise AwsError(text + (f" ({advice})" if advice else ""), code) from None
    except NoRegionError:
        raise ConfigError(f"{what}: no AWS region; pass --region or set AWS_REGION") from None
    except NoCredentialsError:
        raise AwsError(
            f"{what}: no AWS credentials (aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID)"
        ) from None
    except EndpointConnectionError as error:
        raise AwsError(f"{what}: {error}") from None
    except MissingDependencyException:
        raise ConfigError(
            f"{what}: this AWS call is signed with SigV4A, which needs botocore's CRT: "
            "pip install 'botocore[crt]'"
        ) from None
    except BotoCoreError as error:
        raise AwsError(f"{what}: {error}") from None


@dataclass(frozen=True, slots=True)
class Deployment:
    """An environment's deployment: where its stack is, and clients to reach it."""

    environment: Environment
    region: str | None = None
    """``None``: the region boto3 finds in the AWS configuration."""
    endpoint_url: str | None = None
    """A local stand-in for every service (moto's server); ``None``: AWS itself."""

    @property
    def stack_name(self) -> str:
        return names.stack_name(self.environment)

    def client(self, service: str) -> Any:
        """A boto3 client of ``service`` with short timeouts and a few standard retries.

        Raises:
            ConfigError: boto3 is not installed, no region is configured, or the endpoint is
                not a URL.
        """
        try:
            import boto3
            from botocore.config import Config
            from botocore.exceptions import NoRegionError
        except ImportError:
            raise ConfigError("the aws commands need boto3: pip install 'ossgrowth[aws]'") from None
        config = Config(
            connect_timeout=_CONNECT_TIMEOUT_SECONDS,
            read_timeout=_READ_TIMEOUT_SECONDS,
            retries={"max_attempts": _MAX_ATTEMPTS, "mode": "standard"},
        )
        endpoint = self.endpoint_url or endpoint_override()
        try:
            return boto3.session.Session(region_name=self.region).client(
                service, endpoint_url=endpoint, config=config
            )
        except NoRegionError:
            raise ConfigError("no AWS region: pass --region or set AWS_REGION") from None
        except ValueError:  # botocore's word for an endpoint that is no URL
            raise ConfigError(f"the AWS endpoint {endpoint!r} is not an http(s) URL") from None

    def stack_outputs(self) -> dict[str, str]:
        """The outputs of the environment's stack, by key.

        Raises:
            AwsError: the stack does not exist (not deployed here) or cannot be read.
        """
        client = self.client("cloudformation")
        try:
            with aws_call(f"reading stack {self.stack_name}"):
                answer = client.describe_stacks(StackName=self.stack_name)
        except AwsError as error:
            if error.code == "ValidationError" and "does not exist" in str(error):
                where = self.region or client.meta.region_name
                raise AwsError(
                    f"stack {self.stack_name} does not exist in {where}; deploy it first "
                    "(docs/aws.md) or pass --region"
                ) from None
            raise
        stacks = answer.get("Stacks", [])
        outputs = stacks[0].get("Outputs", []) if stacks else []
        return {str(item["OutputKey"]): str(item["OutputValue"]) for item in outputs}

    def stack_output(self, key: str) -> str:
        """One output of the stack.

        Raises:
            AwsError: the stack does not exist, or has no such output.
        """
        outputs = self.stack_outputs()
        if key not in outputs:
            raise AwsError(
                f"stack {self.stack_name} has no output {key!r} (it has: "
                f"{', '.join(sorted(outputs)) or 'none'}); deploy this version's stack"
            )
        return outputs[key]
