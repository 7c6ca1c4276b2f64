"""The environment's three Secrets Manager secrets, created without a value anyone wrote.

``ossgrowth/ENV/github-token`` (read by the collectors and the backfills) starts as a random
string, which is no token: a user puts ``{"token": "..."}`` or ``{"tokens": ["...", "..."]}``
in it after the first deploy. ``ossgrowth/ENV/api`` (read by the API only) starts as
``{"admin_token": <random>}``; on staging, ``ossgrowth aws set-staging-password`` adds
``staging_password``. ``ossgrowth/ENV/alerts`` (read by the alert deliveries) starts as a
random string too: a user puts ``{"smtp_password": "..."}`` in it when e-mail alerts log in to
their SMTP server (the function reads it only when ``smtp_user`` is set). No secret value is
ever in a template: CloudFormation asks Secrets Manager to generate them.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from ossgrowth_stack.config import DeploymentConfig

__all__ = ["ADMIN_TOKEN_KEY", "Secrets", "secret_name"]

ADMIN_TOKEN_KEY = "admin_token"
"""The API secret's JSON key of the generated admin token."""
_ADMIN_TOKEN_LENGTH = 40


def secret_name(config: DeploymentConfig, purpose: str) -> str:
    """``ossgrowth/{environment}/{purpose}`` (``github-token``, ``api`` or ``alerts``)."""
    return f"ossgrowth/{config.environment}/{purpose}"


class Secrets(Construct):
    """``github_token``, ``api`` and ``alerts``, the environment's three secrets."""

    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if config.is_prod else RemovalPolicy.DESTROY
        self.github_token = secretsmanager.Secret(
            self,
            "GithubToken",
            secret_name=secret_name(config, "github-token"),
            description=(
                'GitHub token(s) of the collectors: {"token": "..."} or {"tokens": ["...", "..."]}'
                " (put it with aws secretsmanager put-secret-value)"
            ),
            removal_policy=removal,
        )
        self.api = secretsmanager.Secret(
            self,
            "Api",
            secret_name=secret_name(config, "api"),
            description=(
                'The API\'s secrets: {"admin_token": "...", "staging_password": "..."}, '
                "either key optional; the admin token is generated"
            ),
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",
                generate_string_key=ADMIN_TOKEN_KEY,
                password_length=_ADMIN_TOKEN_LENGTH,
                exclude_punctuation=True,
            ),
            removal_policy=removal,
        )
        self.alerts = secretsmanager.Secret(
            self,
            "Alerts",
            secret_name=secret_name(config, "alerts"),
            description=(
                'The alert deliveries\' SMTP password: {"smtp_password": "..."}, read only when '
                "the deployment sets smtp_user (put it with aws secretsmanager put-secret-value)"
            ),
            removal_policy=removal,
        )
