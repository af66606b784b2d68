"""The circulation desk's screens."""
