"""Administration commands: a new library, schema upgrades, checks, backup and restore, staff."""
