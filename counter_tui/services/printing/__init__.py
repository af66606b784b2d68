"""What every printed thing shares: PDF sheets with barcodes and fonts, and receipt-printer slips."""
