"""Sales pages by audience: `shop` (buyers, on the storefront), `control` (the control panel)."""
