"""The HTTP API: ``create_app(settings, store, clock)`` and ``serve(settings, host, port)``."""

from ossgrowth.api.app import create_app
from ossgrowth.api.serve import serve

__all__ = ["create_app", "serve"]
