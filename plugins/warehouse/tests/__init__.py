"""Tests of the warehouse plugin."""
