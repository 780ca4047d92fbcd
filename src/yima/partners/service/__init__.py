"""The partners' use cases, one module per area; import as ``from yima.partners import service as partners``.

``lookup_*``, ``find_*``, ``territory_of``, ``territories_of``, ``dealer_covers`` and
``dealers_covering`` are for other contexts' use cases (trace, rebates, the scan): they check no
permission and no regional scope of their own.
"""

from yima.partners.service.dealers import (
    create_dealer,
    deactivate_dealer,
    dealer_covers,
    dealers_covering,
    find_dealer,
    get_dealer,
    get_territory,
    list_dealers,
    lookup_dealer,
    lookup_dealers,
    set_territory,
    territories_of,
    territory_of,
    update_dealer,
)
from yima.partners.service.imports import import_dealers, import_stores, import_warehouses
from yima.partners.service.sheets import XLSX_MEDIA_TYPE, export_dealers, export_stores, export_warehouses, template
from yima.partners.service.stores import (
    create_store,
    deactivate_store,
    find_store,
    get_store,
    list_stores,
    lookup_store,
    lookup_stores,
    update_store,
)
from yima.partners.service.warehouses import (
    create_location,
    create_warehouse,
    deactivate_warehouse,
    find_warehouse,
    get_warehouse,
    list_locations,
    list_warehouses,
    lookup_location,
    lookup_warehouse,
    update_location,
    update_warehouse,
)

__all__ = [
    "XLSX_MEDIA_TYPE",
    "create_dealer",
    "create_location",
    "create_store",
    "create_warehouse",
    "deactivate_dealer",
    "deactivate_store",
    "deactivate_warehouse",
    "dealer_covers",
    "dealers_covering",
    "export_dealers",
    "export_stores",
    "export_warehouses",
    "find_dealer",
    "find_store",
    "find_warehouse",
    "get_dealer",
    "get_store",
    "get_territory",
    "get_warehouse",
    "import_dealers",
    "import_stores",
    "import_warehouses",
    "list_dealers",
    "list_locations",
    "list_stores",
    "list_warehouses",
    "lookup_dealer",
    "lookup_dealers",
    "lookup_location",
    "lookup_store",
    "lookup_stores",
    "lookup_warehouse",
    "set_territory",
    "template",
    "territories_of",
    "territory_of",
    "update_dealer",
    "update_location",
    "update_store",
    "update_warehouse",
]
