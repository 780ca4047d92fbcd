"""Every module under src/yima, parsed once, with what it imports and what it calls.

``imports()`` gives one ``Import`` per imported name — imports inside functions (lazy imports
count), under ``if TYPE_CHECKING:``, relative ones, and ``importlib.import_module("literal")``
— each resolved to an absolute module name. ``from a import b`` resolves to the module
``a.b`` when src/yima holds it, else to ``a`` with ``name="b"`` (third-party packages are never
imported to find out: ``from sqlalchemy import select`` is target ``sqlalchemy``, name ``select``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from yima.contexts import CONTEXTS, LAYERS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = ROOT / "src" / "yima"

# Top-level modules that compose the contexts; they sit above every layer and may import anything.
COMPOSITION = ("main", "cli", "demo", "contexts", "__main__", "migrations")
# Below every context, beside platform: configuration read from the environment.
FOUNDATION = ("platform", "settings")
# The file names of DESIGN.md §2's per-context table (a name may be a module or a package).
ROLES = (
    "models", "schemas", "repository", "rules", "service", "events", "handlers", "tasks",
    "api", "console", "h5", "cli", "errors", "permissions",
)  # fmt: skip


@dataclass(frozen=True)
class Module:
    name: str  # "yima.identity.service.auth"
    path: Path
    tree: ast.Module
    is_package: bool

    @property
    def rel(self) -> str:
        return str(self.path.relative_to(ROOT))

    @property
    def top(self) -> str:
        """``identity`` for yima.identity.api, ``main`` for yima.main, ``""`` for yima itself."""
        return top_of(self.name)

    @property
    def role(self) -> str | None:
        return role_of(self.name)


@dataclass(frozen=True)
class Import:
    module: Module  # the importing module
    line: int
    target: str  # the imported module, absolute
    name: str | None  # the imported attribute when it is not a module (``from a import name``)
    bound: str  # the local name that now means ``full`` ("" for ``import a.b``: it binds ``a`` to ``a``)

    @property
    def full(self) -> str:
        return f"{self.target}.{self.name}" if self.name else self.target

    @property
    def where(self) -> str:
        return f"{self.module.rel}:{self.line}"


def top_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "yima" else ""


def role_of(name: str) -> str | None:
    """The per-file role of a module inside a context or a platform package: ``service`` for
    yima.identity.service.auth and yima.platform.outbox.service, None when it has none."""
    parts = name.split(".")
    if len(parts) < 3 or parts[0] != "yima":
        return None
    inner = parts[3:] if parts[1] == "platform" else parts[2:]
    return next((part for part in inner if part in ROLES), None)


def layer_of(name: str) -> int | None:
    """0 for platform and settings, the index in contexts.LAYERS for a context, ``len(LAYERS)``
    for the composition modules (and the bare ``yima`` package), None for a module no rule knows."""
    top = top_of(name)
    if name == "yima" or top in COMPOSITION:
        return len(LAYERS)
    if top in FOUNDATION:
        return 0
    for index, layer in enumerate(LAYERS):
        if top in layer:
            return index
    return None


def is_context(name: str) -> bool:
    return top_of(name) in CONTEXTS


@cache
def modules() -> tuple[Module, ...]:
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found.append(Module(".".join(parts), path, tree, is_package))
    return tuple(found)


@cache
def _module_names() -> frozenset[str]:
    return frozenset(m.name for m in modules())


def _base_of_relative(module: Module, level: int, name: str | None) -> str:
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _imports_in(module: Module) -> Iterator[Import]:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or ("" if "." in alias.name else alias.name)
                yield Import(module, node.lineno, alias.name, None, bound)
        elif isinstance(node, ast.ImportFrom):
            base = _base_of_relative(module, node.level, node.module) if node.level else node.module or ""
            for alias in node.names:
                bound = alias.asname or alias.name
                candidate = f"{base}.{alias.name}"
                if candidate in _module_names():
                    yield Import(module, node.lineno, candidate, None, bound)
                else:
                    yield Import(module, node.lineno, base, alias.name, bound)
        elif isinstance(node, ast.Call) and (literal := _import_module_literal(node)):
            yield Import(module, node.lineno, literal, None, "")


def _import_module_literal(call: ast.Call) -> str | None:
    """The module of ``importlib.import_module("a.b")``; None for anything computed."""
    if dotted(call.func) not in ("importlib.import_module", "import_module") or not call.args:
        return None
    first = call.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


@cache
def imports() -> tuple[Import, ...]:
    return tuple(imp for module in modules() for imp in _imports_in(module))


def imports_of(module: Module) -> list[Import]:
    return [imp for imp in imports() if imp.module is module]


def dotted(node: ast.expr) -> str:
    """``a.b.c`` for a name or attribute chain; ``?.c`` when the chain starts elsewhere
    (``(await x).commit`` → ``?.commit``)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return "?"


def calls(module: Module) -> Iterator[tuple[int, str, ast.Call]]:
    """Each call in the module as (line, callee, node), the callee's first name expanded
    through the module's imports: ``sa.select(...)`` after ``import sqlalchemy as sa`` gives
    ``sqlalchemy.select``; ``session.commit()`` stays ``session.commit``."""
    bound = {imp.bound: imp.full for imp in imports_of(module) if imp.bound}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            head, _, rest = dotted(node.func).partition(".")
            expanded = bound.get(head, head)
            yield node.lineno, f"{expanded}.{rest}" if rest else expanded, node
