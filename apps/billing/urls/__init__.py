"""Billing's URLs by audience, as its views: control.py (config.urls_tenant mounts it at
/control/billing/), platform.py (config.urls_public, at /platform/invoices/)."""
