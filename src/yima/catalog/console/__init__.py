"""The catalog's console pages: products, packaging specs, Excel import. Importing this package
registers them."""

from yima.catalog.console import imports, products, specs

__all__ = ["imports", "products", "specs"]
