"""kernel.events"""
