"""Operators' pages by audience: `control/` (the control panel of an organization's hosts),
one module per concept. The API is in apps.operators.api."""
