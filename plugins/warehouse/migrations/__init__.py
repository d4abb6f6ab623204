"""Migrations of the warehouse plugin (file names keep the ``warehouse_`` prefix)."""
