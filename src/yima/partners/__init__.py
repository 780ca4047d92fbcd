"""Channel partners: warehouses, dealers with their territories, stores (docs/partners.md)."""
