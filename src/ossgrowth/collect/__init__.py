"""Collection: the only code that knows both sources and the store."""

__all__: list[str] = []
