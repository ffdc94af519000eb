"""clustering: see docs/architecture.md."""
