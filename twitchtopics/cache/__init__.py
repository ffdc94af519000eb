"""cache: see docs/architecture.md."""
