"""DESIGN.md §3: every table is tenant-owned or on a short list; tenant tables lead their keys with
tenant_id and reference each other by (tenant_id, id), so the database refuses a cross-tenant link.

Reads the models' metadata after ``yima.contexts.load()``; no database is opened.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import PrimaryKeyConstraint, Table, UniqueConstraint

from yima import contexts
from yima.platform.db.base import Base, TenantScoped

# Tables without a tenant_id of their own, each for a reason.
GLOBAL_TABLES = {
    "tenants": "the tenants themselves: every tenant_id points here",
    "users": "a login is global: one person may be staff of several brands (staff_members is per brand)",
    "console_sessions": "a browser session outlives the brand switch; its tenant_id (nullable) is the "
    "brand currently shown, resolved against staff_members on every request",
    "outbox_messages": "the runner claims messages across tenants; tenant_id (nullable: platform events "
    "have none) binds the handler's own session, so no row is read through it",
    "regions": "GB/T 2260 regions are national reference data, the same for every brand; brands only read them",
}
# Indexes and unique constraints of tenant tables that do not lead with tenant_id, each for a
# reason: they serve a lookup made before the tenant is known, or across tenants on purpose.
CROSS_TENANT_KEYS = {
    ("code_namespaces", ("prefix",)): "token prefixes are global: a scanned token names its brand by its "
    "prefix before any tenant is known (codes.repository.namespace_by_prefix)",
    ("api_clients", ("client_id",)): "client ids are global: /oauth/token finds the client, and "
    "from it the tenant, before any tenant is known",
    ("channel_sessions", ("token_hash",)): "a channel account's session token names its brand only through "
    "its row: the session is found before any tenant is known (partners.repository.session_by_hash)",
    ("staff_members", ("user_id",)): "a login's brands are listed at sign-in and on the brand switch, "
    "before a tenant is chosen (identity.repository.tenant_ids_of_user, across tenants)",
    ("jobs", ("state", "available_at")): "the job runner claims the oldest due job of any tenant "
    "(platform.outbox.repository.claim_job, across tenants)",
}


def _tables() -> list[Table]:
    contexts.load()
    return sorted(Base.metadata.tables.values(), key=lambda t: t.name)


def _is_tenant_table(table: Table) -> bool:
    column = table.columns.get("tenant_id")
    return (
        column is not None
        and not column.nullable
        and any(fk.target_fullname == "tenants.id" for fk in column.foreign_keys)
    )


def _keys(table: Table) -> Iterator[tuple[str, tuple[str, ...], bool]]:
    """(name, columns, unique) for every index, unique constraint and the primary key."""
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint):
            yield str(constraint.name), tuple(c.name for c in constraint.columns), True
    for index in table.indexes:
        yield str(index.name), tuple(c.name for c in index.columns), bool(index.unique)


def _declare(name: str, columns: tuple[str, ...], unique: bool) -> str:
    """How to declare the key again, tenant_id first."""
    kind = "UniqueConstraint(" if unique and not name.startswith("ix_") else f"Index({name!r}, "
    return f"{kind}{', '.join(map(repr, ('tenant_id', *columns)))})"


def test_every_table_is_tenant_owned_or_listed() -> None:
    tables = _tables()
    problems = [
        f"table {t.name}: no non-nullable tenant_id referencing tenants.id; mix TenantScoped into its "
        "model (and use tenant_table_args), or add it to GLOBAL_TABLES in "
        f"{__name__.replace('.', '/')}.py with the reason it belongs to no tenant"
        for t in tables
        if not _is_tenant_table(t) and t.name not in GLOBAL_TABLES
    ]
    present = {t.name: t for t in tables}
    problems += [
        f"GLOBAL_TABLES lists {name}, which {'is tenant-owned now' if name in present else 'is gone'}; "
        "remove it from the list"
        for name in GLOBAL_TABLES
        if name not in present or _is_tenant_table(present[name])
    ]
    assert not problems, "tables outside tenancy (DESIGN.md §3):\n" + "\n".join(problems)


def test_tenant_tables_lead_their_keys_with_tenant_id() -> None:
    problems = []
    for table in filter(_is_tenant_table, _tables()):
        keys = list(_keys(table))
        if not any(unique and columns[0] == "tenant_id" for _, columns, unique in keys):
            problems.append(
                f"table {table.name}: no unique key leading with tenant_id; declare "
                "`__table_args__ = tenant_table_args(...)` (adds UNIQUE (tenant_id, id))"
            )
        for name, columns, unique in keys:
            if columns[0] == "tenant_id" or columns == tuple(c.name for c in table.primary_key):
                continue
            if (table.name, columns) in CROSS_TENANT_KEYS:
                continue
            problems.append(
                f"table {table.name}: {name} on {columns} does not lead with tenant_id; declare "
                f"{_declare(name, columns, unique)} in __table_args__ instead (unique=True on a column "
                "makes a global key), or, if it serves a lookup made before the tenant is known, add "
                "it to CROSS_TENANT_KEYS with the reason"
            )
    stale = [key for key in CROSS_TENANT_KEYS if not _key_exists(*key)]
    problems += [f"CROSS_TENANT_KEYS lists {key}, which no longer exists; remove it" for key in stale]
    assert not problems, "tenant keys (DESIGN.md §3, §8):\n" + "\n".join(problems)


def _key_exists(table_name: str, columns: tuple[str, ...]) -> bool:
    table = Base.metadata.tables.get(table_name)
    return table is not None and any(cols == columns for _, cols, _ in _keys(table))


def test_tenant_tables_reference_each_other_by_tenant_and_id() -> None:
    tables = {t.name: t for t in _tables()}
    problems = []
    for table in tables.values():
        if not _is_tenant_table(table):
            continue
        for fk in sorted(table.foreign_key_constraints, key=lambda c: str(c.name)):
            parent = fk.referred_table
            if not _is_tenant_table(parent):
                continue
            pairs = {(e.parent.name, e.column.name) for e in fk.elements}
            if ("tenant_id", "tenant_id") not in pairs or len(pairs) < 2:
                columns = [e.parent.name for e in fk.elements if e.parent.name != "tenant_id"]
                problems.append(
                    f"table {table.name}: foreign key {fk.name} → {parent.name} is not composite with "
                    f"tenant_id, so a row could point into another tenant; declare "
                    f"tenant_fk({columns!r}, {parent.name!r}) in __table_args__ (and no ForeignKey() on "
                    "the column)"
                )
            elif not _unique_on(parent, {e.column.name for e in fk.elements}):
                problems.append(
                    f"table {table.name}: foreign key {fk.name} → {parent.name} targets columns no unique "
                    f"key of {parent.name} covers; give {parent.name} tenant_table_args()"
                )
    assert not problems, "cross-tenant links possible (DESIGN.md §3):\n" + "\n".join(problems)


def _unique_on(table: Table, columns: set[str]) -> bool:
    return any(unique and set(cols) == columns for _, cols, unique in _keys(table))


def _model_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _mapped_tables() -> list[tuple[str, Table]]:
    """(model, table) for every mapped class, after loading every context's models."""
    _tables()
    return [
        (_model_name(m.class_), m.local_table)
        for m in Base.registry.mappers
        if isinstance(m.local_table, Table)
    ]


def _tenant_scoped_models() -> set[str]:
    _tables()
    return {_model_name(m.class_) for m in Base.registry.mappers if issubclass(m.class_, TenantScoped)}


def test_models_with_tenant_id_are_tenant_scoped() -> None:
    """TenantScoped is what the session's tenant filter keys on: a tenant_id without it is
    never filtered."""
    scoped = _tenant_scoped_models()
    problems = sorted(
        f"model {model} (table {table.name}) has tenant_id but does not mix in TenantScoped, so the "
        "session's tenant filter skips it; inherit TenantScoped (yima.platform.db.base)"
        for model, table in _mapped_tables()
        if "tenant_id" in table.columns and model not in scoped and table.name not in GLOBAL_TABLES
    )
    assert not problems, "tenant filter would skip (DESIGN.md §3):\n" + "\n".join(problems)


def test_tenant_scoped_models_map_tenant_tables() -> None:
    scoped = _tenant_scoped_models()
    problems = sorted(
        f"model {model} mixes in TenantScoped but its table {table.name} has no non-nullable "
        "tenant_id → tenants.id; do not override TenantScoped.tenant_id"
        for model, table in _mapped_tables()
        if model in scoped and not _is_tenant_table(table)
    )
    assert not problems, "\n".join(problems)
