"""Clients of the upstream APIs: they turn HTTP into ``ossgrowth.model`` types and nothing else."""

__all__: list[str] = []
