"""The property accounts' screens."""
