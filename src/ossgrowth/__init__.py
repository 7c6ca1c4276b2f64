"""ossgrowth, the Open Source Growth Tracker.

Follows open-source projects over time (GitHub stars, pull-request velocity, issue health,
package downloads), keeps every observation, and serves them through a CLI, an API and a
dashboard.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ossgrowth")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
