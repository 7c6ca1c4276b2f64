"""Where an environment's data lives on DynamoDB: the store URL, the table names and keys.

The four point tables keep the seed's names and keys: ``{env}-star-growth``,
``{env}-pr-velocity``, ``{env}-issue-health``, ``{env}-package-downloads``, partition key
``repo`` and sort key ``timestamp`` (ISO-8601 UTC, so a time range is one key range). Three
more hold the rest: ``{env}-repositories`` (the tracked repositories, as the seed had),
``{env}-rollups`` (downsampled series for reads) and ``{env}-operations`` (runs, backfill jobs
and pages, schedule slots and the environment's claim: one table, keyed ``pk``/``sk``).
docs/aws.md argues the layout. Pure: no AWS call here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import parse_qs, urlsplit

from ossgrowth.errors import ConfigError
from ossgrowth.metrics.registry import FAMILIES, Family

__all__ = [
    "KEYS",
    "DynamoLocation",
    "TableNames",
    "is_dynamodb_url",
]

SCHEME = "dynamodb"

KEYS: Mapping[str, tuple[str, str | None]] = MappingProxyType(
    {
        **{row.seed_table_suffix: ("repo", "timestamp") for row in FAMILIES.values()},
        "repositories": ("repo", None),
        "rollups": ("series", "bucket"),
        "operations": ("pk", "sk"),
    }
)
"""Each table's name suffix and its (partition key, sort key); every key is a String."""


def is_dynamodb_url(url: str) -> bool:
    """Whether a store URL names DynamoDB (``dynamodb://?region=…``)."""
    return url.split(":", 1)[0].lower() == SCHEME


@dataclass(frozen=True, slots=True)
class DynamoLocation:
    """What a ``dynamodb://`` store URL says: the region, an endpoint (a local stand-in),
    and a prefix every table name starts with (several deployments in one account)."""

    region: str | None = None
    endpoint: str | None = None
    table_prefix: str = ""

    @classmethod
    def parse(cls, url: str) -> DynamoLocation:
        """Read ``dynamodb://?region=R&endpoint=URL&table_prefix=P`` (every part optional:
        the region then comes from the AWS configuration, as boto3 finds it).

        Raises:
            ConfigError: not a DynamoDB URL, or an unknown or repeated parameter.
        """
        parts = urlsplit(url)
        if parts.scheme.lower() != SCHEME:
            raise ConfigError(f"not a DynamoDB store URL (dynamodb://?region=…): {url!r}")
        if parts.netloc or parts.path not in ("", "/"):
            raise ConfigError(
                "a DynamoDB store URL has only parameters: dynamodb://?region=R&table_prefix=P"
            )
        query = parse_qs(parts.query, keep_blank_values=True)
        unknown = sorted(set(query) - {"region", "endpoint", "table_prefix"})
        if unknown:
            raise ConfigError(
                f"unknown DynamoDB store URL parameter {unknown[0]!r}; "
                "known: region, endpoint, table_prefix"
            )
        for name, values in query.items():
            if len(values) > 1:
                raise ConfigError(f"the DynamoDB store URL gives {name!r} twice")
        region = query.get("region", [""])[0] or None
        endpoint = query.get("endpoint", [""])[0] or None
        if endpoint is not None and urlsplit(endpoint).scheme not in ("http", "https"):
            raise ConfigError(f"the DynamoDB endpoint must be an http(s) URL, not {endpoint!r}")
        return cls(region, endpoint, query.get("table_prefix", [""])[0])


@dataclass(frozen=True, slots=True)
class TableNames:
    """The table names of one environment."""

    prefix: str
    environment: str

    def named(self, suffix: str) -> str:
        return f"{self.prefix}{self.environment}-{suffix}"

    def points(self, family: Family) -> str:
        return self.named(FAMILIES[family].seed_table_suffix)

    @property
    def repositories(self) -> str:
        return self.named("repositories")

    @property
    def rollups(self) -> str:
        return self.named("rollups")

    @property
    def operations(self) -> str:
        return self.named("operations")

    def all(self) -> dict[str, tuple[str, str | None]]:
        """Every table's name and its keys."""
        return {self.named(suffix): keys for suffix, keys in KEYS.items()}
