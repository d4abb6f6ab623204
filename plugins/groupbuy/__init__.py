"""Livestream group buys (built-in plugin ``groupbuy``): a catalog, campaigns with a minimum
group per community, orders placed in batches without overselling, live progress, invite
discounts, closing at the deadline and pickup. Uses only :mod:`alliance_sdk`."""
