"""A local, deterministic world of GitHub, npm and PyPI stats APIs for tests, demos and benchmarks."""

__all__: list[str] = []
