"""Python's arenas on huge pages (the C extension `_hugepages.c`)."""

def enable() -> None:
    """Carve new arenas out of huge-page chunks (idempotent)."""

def stats() -> dict[str, int]:
    """enabled, arena_size, chunks (held now), chunks_mapped (ever)."""
