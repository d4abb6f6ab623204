"""kernel.plugins"""
