"""Billing's pages by audience: control.py (an organization admin's own billing page and card
on file, at /control/billing/), platform.py (the platform admin's invoices, at
/platform/invoices/). The platform's client pages are apps.platform.views.clients."""
