"""The desks and dialogs, one package per post."""
