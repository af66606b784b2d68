"""Cataloguing: records, copies, call numbers, duplicate check, MARC, labels, the shelf list."""
