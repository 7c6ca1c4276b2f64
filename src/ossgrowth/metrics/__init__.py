"""Pure metric logic: the registry of families and fields, ratios, growth and history.

Nothing in this package does I/O or reads the clock.
"""

from ossgrowth.metrics.ratios import issue_ratio, pr_ratio, safe_ratio
from ossgrowth.metrics.registry import (
    FAMILIES,
    FamilyDefinition,
    FieldDefinition,
    FieldKind,
    definition,
    parse_family,
)

__all__ = [
    "FAMILIES",
    "FamilyDefinition",
    "FieldDefinition",
    "FieldKind",
    "definition",
    "issue_ratio",
    "parse_family",
    "pr_ratio",
    "safe_ratio",
]
