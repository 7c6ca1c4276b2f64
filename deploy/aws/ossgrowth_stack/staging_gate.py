"""Staging's password at CloudFront: a CloudFront Function and the KeyValueStore it reads.

The function (``staging_gate.js``, JavaScript runtime 2.0, viewer-request on every behaviour)
lets a request through only with HTTP Basic credentials whose ``user:password`` hashes (SHA-256,
hex) to the value under :data:`CREDENTIALS_KEY` in the store; ``/health`` stays open and a
Bearer token passes to ``/api/*``, where the API checks it. The stack creates the store empty,
so staging refuses everyone until ``ossgrowth aws set-staging-password`` writes the hash (and
the password into the API secret, which the API checks behind CloudFront). No password, and
no hash, is ever in a template.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_cloudfront as cloudfront
from constructs import Construct

from ossgrowth_stack.config import DeploymentConfig

__all__ = [
    "CREDENTIALS_KEY",
    "GATE_SOURCE",
    "StagingGate",
    "gate_code",
    "key_value_store_name",
]

CREDENTIALS_KEY = "staging-basic-auth-sha256"
"""The store's key; its value is the SHA-256 of ``user:password`` (UTF-8), in lowercase hex."""
GATE_SOURCE = Path(__file__).with_name("staging_gate.js")
_STORE_ID_SLOT = "__KEY_VALUE_STORE_ID__"
_KEY_SLOT = "__CREDENTIALS_KEY__"


def key_value_store_name(config: DeploymentConfig) -> str:
    """``ossgrowth-staging-credentials``: the name the CLI finds the store by."""
    return f"{config.stack_name}-credentials"


def gate_code(key_value_store_id: str) -> str:
    """The function's source, reading the store ``key_value_store_id`` (a token at synth)."""
    source = GATE_SOURCE.read_text()
    return source.replace(_STORE_ID_SLOT, key_value_store_id).replace(_KEY_SLOT, CREDENTIALS_KEY)


class StagingGate(Construct):
    """``store`` (the KeyValueStore) and ``function`` (to associate on viewer-request)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig) -> None:
        super().__init__(scope, construct_id)
        self.store = cloudfront.KeyValueStore(
            self,
            "Credentials",
            key_value_store_name=key_value_store_name(config),
            comment=f"{config.stack_name}: SHA-256 of the staging user:password",
        )
        self.function = cloudfront.Function(
            self,
            "Function",
            function_name=f"{config.stack_name}-staging-gate",
            comment="HTTP Basic against the credentials hash in the KeyValueStore",
            code=cloudfront.FunctionCode.from_inline(gate_code(self.store.key_value_store_id)),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            key_value_store=self.store,
        )

    def association(self) -> cloudfront.FunctionAssociation:
        """The viewer-request association every behaviour carries."""
        return cloudfront.FunctionAssociation(
            function=self.function, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
        )
