"""The property accounts: accession register, write-offs, transfers, new-books bulletin, processing statistics."""
