"""The property accounts' commands."""
