"""Derived Stripe OpenAPI schemas (objects.json) and the script that derives them (derive.py)."""
