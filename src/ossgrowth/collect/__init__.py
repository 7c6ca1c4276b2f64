"""Collection: the only code that knows both sources and the store."""

from ossgrowth.collect.snapshot import CollectionResult, collect_once
from ossgrowth.collect.upstreams import Upstreams, build_upstreams

__all__ = ["CollectionResult", "Upstreams", "build_upstreams", "collect_once"]
