"""Channel adapters: platform payloads ↔ the core's neutral types."""
