"""DESIGN.md §2: a context imports another only through its service, schemas, events, errors and
permissions. Models, repository, rules and the edges stay private to their own context."""

from __future__ import annotations

from tests.architecture.imports import ROLES, Import, imports, is_context, top_of

PUBLIC = ("service", "schemas", "events", "errors", "permissions")


def _entered_module(imp: Import) -> str | None:
    """The first module inside the imported context: ``service`` for yima.geo.service.regions and
    for ``from yima.geo import service``; None for the bare package (``import yima.geo``)."""
    inner = imp.target.split(".")[2:]
    if inner:
        return inner[0]
    # ``from yima.geo import models`` names a module even before geo/models.py is written.
    return imp.name if imp.name in ROLES else None


def _violation(imp: Import) -> str | None:
    importer, imported = imp.module.top, top_of(imp.target)
    if not is_context(imp.module.name) or not is_context(imp.target) or importer == imported:
        return None
    entered = _entered_module(imp)
    if entered is None or entered in PUBLIC:
        return None
    return (
        f"{imp.where}: {imp.module.name} imports {imp.full}, the private `{entered}` of context "
        f"`{imported}`. Use `from yima.{imported} import service` (or its schemas/events/errors/"
        f"permissions) instead, or ask {imported} to expose what you need in its service."
    )


def test_contexts_import_each_other_only_through_public_modules() -> None:
    ordered = sorted(imports(), key=lambda imp: (imp.module.rel, imp.line))
    violations = [v for imp in ordered if (v := _violation(imp))]
    assert not violations, "context boundary broken (DESIGN.md §2):\n" + "\n".join(violations)
