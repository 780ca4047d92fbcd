"""DESIGN.md §2: imports go down the layers, never up or sideways.

The order is ``yima.contexts.LAYERS`` (platform lowest), then the composition modules at the top
(yima.main, .cli, .demo, .contexts, .__main__, .migrations), which may import anything.
``yima.settings`` sits in the lowest layer beside platform: it is configuration, every layer
reads it, and it imports nothing above platform. Platform imports no context and no composition
module (not even ``yima.contexts``: loading every context is composition's job, and the runner
and the health check get what they need passed in). A context imports strictly lower layers and
itself; a context of the same layer is reached through events (platform.outbox).
"""

from __future__ import annotations

from tests.architecture.imports import Import, imports, layer_of, modules, top_of
from yima.contexts import LAYERS


def _layer_name(index: int) -> str:
    return "composition" if index == len(LAYERS) else "/".join(LAYERS[index]) + f" (layer {index})"


def _violation(imp: Import) -> str | None:
    if not imp.target.startswith("yima.") and imp.target != "yima":
        return None
    here, there = layer_of(imp.module.name), layer_of(imp.target)
    if here is None or there is None or here == len(LAYERS):
        return None  # unknown modules are reported by the test below; composition may import anything
    importer, imported = imp.module.top, top_of(imp.target)
    if imp.target == "yima" or importer == imported or (here == there == 0):
        return None  # the bare package (``from yima import __version__``), itself, platform ↔ settings
    if there < here:
        return None
    if here == 0:
        advice = (
            "platform holds no business rules and knows no context: take what it needs as an argument "
            "or a registered callback (as Runner takes load_tenant), and let composition wire it"
        )
    elif there == here:
        advice = (
            f"`{importer}` and `{imported}` are the same layer: publish an event in "
            f"yima.{imported}.events and react to it in yima.{importer}.handlers instead"
        )
    else:
        advice = (
            f"`{imported}` is above `{importer}` ({_layer_name(there)} > {_layer_name(here)}): "
            f"turn the dependency around (the higher layer calls down, or the lower one publishes an "
            f"event the higher one handles), or pass what is needed in as an argument"
        )
    return f"{imp.where}: {imp.module.name} imports {imp.full}; {advice}."


def test_imports_go_down_the_layers() -> None:
    ordered = sorted(imports(), key=lambda imp: (imp.module.rel, imp.line))
    violations = [v for imp in ordered if (v := _violation(imp))]
    assert not violations, "layering broken (DESIGN.md §2):\n" + "\n".join(violations)


def test_every_module_belongs_to_a_layer() -> None:
    """A new top-level package or module must be placed on purpose: a context in
    yima.contexts.LAYERS, or a composition/foundation module in tests/architecture/imports.py."""
    unplaced = sorted(
        f"{m.rel}: `{m.top}` is in no layer; add it to yima.contexts.LAYERS (a context) or to "
        f"COMPOSITION/FOUNDATION in tests/architecture/imports.py (with the reason)"
        for m in modules()
        if layer_of(m.name) is None
    )
    assert not unplaced, "modules outside the layering:\n" + "\n".join(unplaced)
