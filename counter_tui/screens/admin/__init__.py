"""Administration screens: staff accounts and the audit trail."""
