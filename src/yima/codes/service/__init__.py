"""Codes' use cases; import as ``from yima.codes import service as codes``."""

from yima.codes.service.activation import activate, block, lift_blacklist, selected_runs
from yima.codes.service.batches import create_batch, get_batch, list_batches, mark_received, void_batch
from yima.codes.service.exports import download_export, list_exports, request_export
from yima.codes.service.legacy import get_legacy_import, start_legacy_import
from yima.codes.service.namespaces import (
    codec,
    ensure_namespace,
    forget_cached_codecs,
    owner_of_prefix,
    owner_of_printed,
)
from yima.codes.service.overview import activated_runs, list_assignments, list_blocks
from yima.codes.service.packing import pack, unit_children, unpack
from yima.codes.service.resolve import describe, describe_later, locate, resolve, unit_facts, unit_facts_of
from yima.codes.service.samples import sample_urls
from yima.codes.service.suppliers import create_supplier, list_suppliers, update_supplier
from yima.codes.service.units import (
    Ancestor,
    ancestors,
    ancestors_of,
    children_of,
    children_sample,
    unit_epc,
    unit_epcs,
)

__all__ = [
    "Ancestor",
    "activate",
    "activated_runs",
    "ancestors",
    "ancestors_of",
    "block",
    "children_of",
    "children_sample",
    "codec",
    "create_batch",
    "create_supplier",
    "describe",
    "describe_later",
    "download_export",
    "ensure_namespace",
    "forget_cached_codecs",
    "get_batch",
    "get_legacy_import",
    "lift_blacklist",
    "list_assignments",
    "list_batches",
    "list_blocks",
    "list_exports",
    "list_suppliers",
    "locate",
    "mark_received",
    "owner_of_prefix",
    "owner_of_printed",
    "pack",
    "request_export",
    "resolve",
    "sample_urls",
    "selected_runs",
    "start_legacy_import",
    "unit_children",
    "unit_epc",
    "unit_epcs",
    "unit_facts",
    "unit_facts_of",
    "unpack",
    "update_supplier",
    "void_batch",
]
