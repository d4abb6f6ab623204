"""The club's logic, free of GraphQL: one module per part of the club.

Every change is one write transaction (``kernel.db.write()``); events are published inside
it. Rows of one event, batch or reward are serialised by locking the parent row first
(``kernel.db.for_update``: ``FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transaction
already holds the single write lock), then counters move by conditional updates.
"""
