"""kernel.consent"""
