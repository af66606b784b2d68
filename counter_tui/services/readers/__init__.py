"""Readers and their cards: registration, finding readers, cards, roster import, privacy."""
