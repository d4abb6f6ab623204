"""The SDK for alliance plugins."""
