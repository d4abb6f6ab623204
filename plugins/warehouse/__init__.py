"""Shared cloud warehouses (云仓): hubs, client agreements, stock in lots, reservations for
group buys, wave picking, transfers, demand and cold chain. Hooks in :mod:`.hooks`."""
