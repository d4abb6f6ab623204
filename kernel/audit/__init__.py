"""kernel.audit"""
