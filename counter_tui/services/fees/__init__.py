"""The fee ledger: charges, payments, waivers, refunds and payouts."""
