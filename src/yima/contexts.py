"""The bounded contexts, in layer order, and the loader that registers their reactions.

Importing a context's ``handlers`` and ``tasks`` modules registers its event handlers and jobs
(platform.outbox.registry); the app, the worker, the CLI and the tests call ``load()`` first.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

# Lowest first: a context may import only from those before it (tests/architecture enforces).
LAYERS: list[list[str]] = [
    ["platform"],
    # identity stands alone below everything: every context's routes declare permissions through
    # it and write its audit log (DESIGN.md put geo beside it; geo needs it like the rest).
    ["identity"],
    ["geo"],
    ["catalog"],
    ["codes"],
    # members sits below partners: a channel account (store owner, guide, dealer …) is a person.
    ["members"],
    ["partners", "wallet"],
    ["trace"],
    ["campaigns"],
    # rebates above campaigns: the open-case reward (开箱有礼) is a campaign's draw for a store.
    ["rebates", "orders", "tpm", "sfa", "cloudstore"],
    ["scans"],
    ["analytics"],
]
CONTEXTS = [name for layer in LAYERS[1:] for name in layer]
_loaded = False


def present() -> list[str]:
    """The contexts that exist in this build (later waves are added as they are written)."""
    return [name for name in CONTEXTS if importlib.util.find_spec(f"yima.{name}") is not None]


def _import_if_present(module: str) -> ModuleType | None:
    if importlib.util.find_spec(module) is None:
        return None
    return importlib.import_module(module)


def edges(kind: str) -> list[ModuleType]:
    """Every context's edge module of one kind (``api``, ``console``, ``h5``, ``cli``), in layer
    order: ``api`` and ``h5`` modules expose ``routers``, ``cli`` modules ``commands``;
    ``console`` modules register their pages on import."""
    return [m for m in (_import_if_present(f"yima.{name}.{kind}") for name in present()) if m is not None]


def load() -> None:
    """Import every context's models, permissions, handlers and jobs (idempotent)."""
    global _loaded
    if _loaded:
        return
    _import_if_present("yima.platform.outbox.models")
    for name in present():
        for module in ("models", "permissions", "handlers", "tasks"):
            _import_if_present(f"yima.{name}.{module}")
    _loaded = True
