"""The catalog's use cases, one module per area; import as ``from yima.catalog import service``."""

from yima.catalog.service.images import ProductImage, product_image, remove_product_image, set_product_image
from yima.catalog.service.imports import ImportMode, import_products
from yima.catalog.service.products import (
    create_product,
    discontinue_product,
    find_product,
    get_product,
    list_categories,
    list_products,
    lookup_product,
    update_product,
)
from yima.catalog.service.sheets import XLSX_MEDIA_TYPE, export_products, products_template
from yima.catalog.service.specs import create_spec, find_spec, get_spec, list_specs, lookup_spec, update_spec

__all__ = [
    "XLSX_MEDIA_TYPE",
    "ImportMode",
    "ProductImage",
    "create_product",
    "create_spec",
    "discontinue_product",
    "export_products",
    "find_product",
    "find_spec",
    "get_product",
    "get_spec",
    "import_products",
    "list_categories",
    "list_products",
    "list_specs",
    "lookup_product",
    "lookup_spec",
    "product_image",
    "products_template",
    "remove_product_image",
    "set_product_image",
    "update_product",
    "update_spec",
]
