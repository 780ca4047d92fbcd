"""DESIGN.md §2's per-file table and §3's ban on ``text()``, checked on the source.

Roles apply to a context's files and to the same-named files of platform's packages
(platform/outbox has models, repository and service too). A role holds for a module or for
every module of a package of that name (``service/`` and ``service.py`` alike).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from tests.architecture.imports import (
    Import,
    Module,
    calls,
    dotted,
    imports_of,
    is_context,
    modules,
    top_of,
)

# What builds SQL: the statement constructors and expression helpers of SQLAlchemy Core.
SQL_BUILDERS = frozenset({
    "select", "insert", "update", "delete", "text", "func", "and_", "or_", "not_", "exists", "case",
    "union", "union_all", "join", "outerjoin", "literal", "literal_column", "bindparam", "column",
    "table", "values", "tuple_", "cast", "lateral", "true", "false", "null", "desc", "asc",
})  # fmt: skip
SQL_MODULES = ("sqlalchemy", "sqlalchemy.sql", "sqlalchemy.sql.expression", "sqlalchemy.future")
# A pure rules module reaches nothing outside the process.
IO_PACKAGES = (
    "sqlalchemy", "httpx", "requests", "aiohttp", "fastapi", "starlette", "asyncpg", "aiosqlite",
    "sqlite3", "socket", "subprocess", "urllib.request", "yima.settings", "yima.platform.db",
    "yima.platform.outbox",
)  # fmt: skip
IO_ROLES = ("models", "repository", "service", "handlers", "tasks", "api", "console", "h5", "cli")
IO_BUILTINS = ("open", "print", "input")
EDGES = ("api", "console", "h5", "cli")
# Where text() may be written: the database layer itself, and migrations (DDL and data fixes
# run outside any tenant's session on purpose).
TEXT_ALLOWED = ("yima.platform.db", "yima.migrations")


def _in_scope(module: Module) -> bool:
    return module.role is not None and (is_context(module.name) or module.top == "platform")


def _own(module: Module, imp: Import, *roles: str) -> bool:
    """Does ``imp`` reach a module of ``roles`` in the importer's own context (or platform's)?"""
    if top_of(imp.target) not in (module.top, "platform"):
        return False
    parts = imp.target.split(".")[2:] + ([imp.name] if imp.name else [])
    return any(part in roles for part in parts)


def _sql_building(module: Module) -> Iterator[tuple[int, str]]:
    for imp in imports_of(module):
        if imp.target.startswith("sqlalchemy.sql") or imp.full == "sqlalchemy.sql":
            yield imp.line, f"imports {imp.full}"
        elif imp.target in SQL_MODULES and imp.name in SQL_BUILDERS:
            yield imp.line, f"imports `{imp.name}` from {imp.target}"
    for line, callee, _ in calls(module):
        head, _, last = callee.rpartition(".")
        if head in SQL_MODULES and last in SQL_BUILDERS and "." in callee:
            yield line, f"calls {callee}()"


def _commits(module: Module) -> Iterator[tuple[int, str]]:
    for line, callee, _ in calls(module):
        if callee.endswith(".commit"):
            yield line, f"calls {callee}()"


def _schemas(module: Module) -> Iterator[tuple[int, str]]:
    for imp in imports_of(module):
        if "models" in (imp.target.rpartition(".")[2], imp.name):
            why = "schemas describe the API; the service fills them (`XRead.model_validate(row)`)"
            yield imp.line, f"schemas import models ({imp.full}); {why}"


def _rules(module: Module) -> Iterator[tuple[int, str]]:
    instead = "take the facts as arguments; the service fetches them and writes the result"
    for imp in imports_of(module):
        if imp.full.startswith(IO_PACKAGES) or _own(module, imp, *IO_ROLES):
            yield imp.line, f"rules do no I/O but import {imp.full}; {instead}"
    for line, callee, _ in calls(module):
        if callee in IO_BUILTINS:
            yield line, f"rules do no I/O but call {callee}(); {instead}"


def _service(module: Module) -> Iterator[tuple[int, str]]:
    owner = "the edge (requires()/public(), the CLI's context, the job runner) owns the transaction"
    for line, what in _sql_building(module):
        yield line, f"services do not build SQL but {what}; move the statement into repository.py"
    for line, what in _commits(module):
        yield line, f"services never commit but {what}; flush() instead: {owner}"


def _repository(module: Module) -> Iterator[tuple[int, str]]:
    for line, what in _commits(module):
        yield line, f"repositories never commit but {what}; flush() instead: the edge owns the transaction"


def _edge(module: Module) -> Iterator[tuple[int, str]]:
    for imp in imports_of(module):
        if _own(module, imp, "repository", "models"):
            yield imp.line, f"edges are thin but import {imp.full}; call the service, which returns schemas"
    for line, what in _sql_building(module):
        yield line, f"edges do no queries but {what}; call the service"


CHECKS = {
    "schemas": _schemas,
    "rules": _rules,
    "service": _service,
    "repository": _repository,
    **dict.fromkeys(EDGES, _edge),
}


def test_files_keep_their_roles() -> None:
    problems = sorted(
        (m.rel, line, problem)
        for m in modules()
        if _in_scope(m) and m.role in CHECKS
        for line, problem in CHECKS[m.role](m)
    )
    assert not problems, "file roles broken (DESIGN.md §2):\n" + "\n".join(
        f"{path}:{line}: {problem}" for path, line, problem in problems
    )


def _text_uses(module: Module) -> Iterator[int]:
    for imp in imports_of(module):
        if imp.name == "text" and imp.target.startswith("sqlalchemy"):
            yield imp.line
    for line, callee, _ in calls(module):
        if callee.startswith("sqlalchemy.") and callee.endswith(".text"):
            yield line


def test_raw_sql_only_in_platform_db() -> None:
    """text() bypasses the ORM hook that adds the tenant filter (DESIGN.md §3)."""
    uses = sorted(
        {(m.rel, line) for m in modules() if not m.name.startswith(TEXT_ALLOWED) for line in _text_uses(m)}
    )
    assert not uses, "raw SQL outside platform/db (DESIGN.md §3):\n" + "\n".join(
        f"{path}:{line}: text() SQL outside yima/platform/db; write the statement with the ORM in "
        "repository.py (the tenant filter then applies), or add a function to platform/db"
        for path, line in uses
    )


_WRAPPERS = frozenset({"Mapped", "list", "set", "dict", "tuple", "Optional", "List", "Set", "Dict"})


def _class_names(node: ast.AST) -> list[str]:
    """Class names in a relationship target: ``"Item"``, ``Item``, ``lambda: Item``,
    ``Mapped[list["Item"]]``, ``"yima.catalog.models.Product"``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _class_names(ast.parse(node.value, mode="eval").body)
    if isinstance(node, ast.Name):
        return [] if node.id in _WRAPPERS else [node.id]
    if isinstance(node, ast.Attribute):
        return [] if node.attr in _WRAPPERS else [ast.unparse(node)]
    return [name for child in ast.iter_child_nodes(node) for name in _class_names(child)]


def _relationships(module: Module) -> Iterator[tuple[int, str]]:
    classes = {node.name for node in ast.walk(module.tree) if isinstance(node, ast.ClassDef)}
    assignments = (n for n in ast.walk(module.tree) if isinstance(n, ast.AnnAssign | ast.Assign))
    for node in assignments:
        value = node.value
        if not isinstance(value, ast.Call) or dotted(value.func).rpartition(".")[2] != "relationship":
            continue
        keyword = next((k.value for k in value.keywords if k.arg == "argument"), None)
        target = value.args[0] if value.args else keyword
        if target is None and isinstance(node, ast.AnnAssign):
            target = node.annotation
        for name in _class_names(target) if target is not None else []:
            where, _, cls = name.rpartition(".")
            if cls not in classes or where not in ("", module.name):
                yield node.lineno, name


def test_relationships_stay_inside_their_context() -> None:
    found = sorted((m.rel, line, m.name, target) for m in modules() if m.role == "models"
                   for line, target in _relationships(m))  # fmt: skip
    assert not found, "relationship() across contexts (DESIGN.md §2):\n" + "\n".join(
        f"{path}:{line}: relationship() to `{target}`, which {name} does not define; refer to another "
        "context's row by its id (a composite (tenant_id, x_id) key) and load it through that "
        "context's service"
        for path, line, name, target in found
    )
