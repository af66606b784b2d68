"""The circulation desk's commands."""
