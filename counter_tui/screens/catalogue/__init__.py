"""The catalogue desk (F6) and the cataloguers' tools."""
