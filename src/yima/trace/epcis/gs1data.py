"""The GS1 artefacts shipped in this package (see README.md beside them), read once."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_FILE = "EPCIS-JSON-Schema.json"
CONTEXT_FILE = "epcis-context.jsonld"
# The context every EPCIS 2.0 JSON-LD document names; the one our answers carry.
CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"


@cache
def load(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


def schema() -> dict[str, Any]:
    return dict(load(SCHEMA_FILE))


def enum_of(definition: str) -> frozenset[str]:
    """The standard (bare-word) values a schema definition lists, e.g. ``bizStep``."""
    found: set[str] = set()
    for option in load(SCHEMA_FILE)["definitions"][definition].get("anyOf", []):
        found.update(option.get("enum", []))
    return frozenset(found)
