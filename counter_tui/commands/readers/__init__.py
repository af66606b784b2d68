"""Readers' and cards' commands."""
