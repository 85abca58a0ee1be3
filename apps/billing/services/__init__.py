"""Writes on clients' billing, one module per concept: accounts, adjustments, sales_months,
run (the monthly invoices), invoicing (numbers, e-mails), collection (charging the card on
file, dunning, payments), card_on_file, corrections (the platform admin's)."""

from apps.core.audit import Actor

SYSTEM = Actor(user=None)
