"""The readers desk (F5) and the office's reader forms."""
