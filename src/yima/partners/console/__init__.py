"""The partners' console pages: dealers (with their territories), stores, warehouses, Excel
import. Importing this package registers them."""

from yima.partners.console import dealer, dealers, imports, stores, warehouses

__all__ = ["dealer", "dealers", "imports", "stores", "warehouses"]
