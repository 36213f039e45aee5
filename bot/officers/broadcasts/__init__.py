"""Officers' broadcasts: audiences, sandboxed message templates and the broadcast service."""

__all__: list[str] = []
