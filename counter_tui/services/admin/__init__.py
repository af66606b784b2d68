"""Administration: staff accounts, the audit trail read back, checks, backup, schema, a new library."""
