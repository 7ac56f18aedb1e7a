"""Optional integrations. Each imports its framework only inside its own package."""

__all__: list[str] = []
