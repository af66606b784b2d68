"""Cataloguing commands."""
