"""The partners' console pages: dealers (with their territories), stores, warehouses, Excel
import, channel accounts and a salesman's stores. Importing this package registers them."""

from yima.partners.console import accounts, dealer, dealers, imports, registrations, salesman, stores, warehouses

__all__ = ["accounts", "dealer", "dealers", "imports", "registrations", "salesman", "stores", "warehouses"]
