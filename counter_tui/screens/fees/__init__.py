"""Fees and payments on a reader's record."""
