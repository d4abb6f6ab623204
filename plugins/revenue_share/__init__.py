"""Leader revenue share (团长分佣): commission rules, a double-entry ledger in fen, accrual on
pickup, reversal on refund, freeze, per-period settlement and payouts. Hooks: :mod:`.hooks`."""
