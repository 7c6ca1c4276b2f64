"""The dashboard's files, served by the API's app: the page, its hashed assets, its config.

The page itself is built from ``web/`` (TypeScript) by ``make venv`` into ``static/`` here; see
:mod:`ossgrowth.web.dashboard`.
"""

from ossgrowth.web.dashboard import STATIC_DIR, dashboard_config, install_dashboard

__all__ = ["STATIC_DIR", "dashboard_config", "install_dashboard"]
