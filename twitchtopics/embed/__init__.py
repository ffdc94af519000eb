"""embed: see docs/architecture.md."""
