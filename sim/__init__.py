"""Local, deterministic simulation harness for the ecosystem marketplace (AWS + Stripe)."""

__version__ = "0.1.0"
