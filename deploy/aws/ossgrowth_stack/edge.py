"""What viewers reach: one CloudFront distribution over the dashboard's bucket and the API.

The dashboard's built files sit in a private S3 bucket (all public access blocked, TLS only,
encrypted), read by CloudFront alone through origin access control. The default behaviour
serves them; ``/api/*`` and the API's own pages (``/health``, ``/ready``, ``/docs``,
``/openapi.json``, and ``/config.json``, which tells the page where the API is) go to the HTTP
API, with every query string and viewer header but ``Host`` forwarded and nothing cached beyond
what the API's ``Cache-Control`` allows. On staging every behaviour runs the staging gate
(:mod:`ossgrowth_stack.staging_gate`).

The built files (``dashboard_dir``, by default the package's static folder that ``make venv``
builds) are uploaded by the deployment: the hashed ``assets/`` as immutable, the rest to be
revalidated on each visit.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Annotations, Duration, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from ossgrowth_stack.config import DeploymentConfig
from ossgrowth_stack.staging_gate import StagingGate

__all__ = ["API_PATH_PATTERNS", "Edge"]

API_PATH_PATTERNS = ("/api/*", "/health", "/ready", "/docs", "/openapi.json", "/config.json")
"""Paths CloudFront sends to the API; everything else is the dashboard's files."""
_API_MAX_TTL = Duration.days(1)
_ASSETS = "assets/*"
_IMMUTABLE = "public, max-age=31536000, immutable"


class Edge(Construct):
    """``bucket``, ``distribution`` and, on staging, ``gate``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        api_domain_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Dashboard",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=RemovalPolicy.RETAIN if config.is_prod else RemovalPolicy.DESTROY,
            auto_delete_objects=not config.is_prod,
        )
        self.gate = StagingGate(self, "StagingGate", config=config) if _gated(config) else None
        associations = [self.gate.association()] if self.gate else None
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{config.stack_name}: dashboard and API",
            default_root_object="index.html",
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                function_associations=associations,
            ),
            additional_behaviors=self._api_behaviours(config, api_domain_name, associations),
        )
        if config.dashboard_dir is None:
            Annotations.of(self).add_warning_v2(
                "ossgrowth:noDashboardFiles",
                "no dashboard files (-c dashboard_dir=PATH, or make venv to build them): "
                "the bucket stays empty and / answers 403",
            )
        else:
            self._upload(config.dashboard_dir)

    def _api_behaviours(
        self,
        config: DeploymentConfig,
        api_domain_name: str,
        associations: list[cloudfront.FunctionAssociation] | None,
    ) -> dict[str, cloudfront.BehaviorOptions]:
        api_origin = origins.HttpOrigin(
            api_domain_name, protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY
        )
        # TTLs from the API's Cache-Control only (none said: not cached); Authorization is part
        # of the key, which is also how CloudFront forwards it (staging's Basic, admin bearer)
        cache_policy = cloudfront.CachePolicy(
            self,
            "ApiCachePolicy",
            cache_policy_name=f"{config.stack_name}-api",
            comment="the API's own Cache-Control decides; Authorization in the key",
            min_ttl=Duration.seconds(0),
            default_ttl=Duration.seconds(0),
            max_ttl=_API_MAX_TTL,
            query_string_behavior=cloudfront.CacheQueryStringBehavior.all(),
            header_behavior=cloudfront.CacheHeaderBehavior.allow_list("Authorization"),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )
        behaviour = cloudfront.BehaviorOptions(
            origin=api_origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cache_policy,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            function_associations=associations,
        )
        return {pattern: behaviour for pattern in API_PATH_PATTERNS}

    def _upload(self, dashboard_dir: Path) -> None:
        if not (dashboard_dir / "index.html").is_file():
            raise ValueError(f"dashboard_dir {dashboard_dir} has no index.html")
        source = s3_deployment.Source.asset(str(dashboard_dir))
        s3_deployment.BucketDeployment(
            self,
            "DashboardPages",
            destination_bucket=self.bucket,
            sources=[source],
            exclude=[_ASSETS],
            cache_control=[s3_deployment.CacheControl.no_cache()],
        )
        s3_deployment.BucketDeployment(
            self,
            "DashboardAssets",
            destination_bucket=self.bucket,
            sources=[source],
            exclude=["*"],
            include=[_ASSETS],
            cache_control=[s3_deployment.CacheControl.from_string(_IMMUTABLE)],
        )


def _gated(config: DeploymentConfig) -> bool:
    """Whether the environment's distribution asks for the staging password."""
    return config.environment == "staging"
