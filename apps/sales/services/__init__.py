"""Selling's writes, one module per concept (DESIGN §5); import from the module."""
