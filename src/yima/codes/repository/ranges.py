"""The codes context's statements for brands' numbering: namespaces, suppliers, batches,
activations, blocks, a unit's facts and ancestry, exports."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    CTE,
    BigInteger,
    BindParameter,
    CompoundSelect,
    Integer,
    Select,
    and_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, aliased
from sqlalchemy.sql.base import Executable

from yima.codes.models import (
    Assignment,
    CodeBatch,
    CodeBlock,
    CodeExport,
    CodeNamespace,
    LegacyCode,
    Supplier,
    Unit,
)
from yima.codes.rules import UnitActivation, UnitBatch, UnitBlock
from yima.codes.schemas import BatchFilter
from yima.platform.db import direct
from yima.platform.db.base import newest_first
from yima.platform.db.tenancy import ALL_TENANTS, prebuilt, tenant_param, tenant_params

ACROSS_TENANTS = {ALL_TENANTS: True}
T = TypeVar("T")


def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)


# namespaces ----------------------------------------------------------------------------------


async def get_namespace(session: AsyncSession) -> CodeNamespace | None:
    return (await session.scalars(select(CodeNamespace))).first()


async def namespace_by_prefix(session: AsyncSession, prefix: str) -> CodeNamespace | None:
    query = select(CodeNamespace).where(CodeNamespace.prefix == prefix).execution_options(**ACROSS_TENANTS)
    return (await session.scalars(query)).first()


async def allocate_serials(session: AsyncSession, count: int) -> int:
    """Reserve ``count`` serials atomically; returns the first. The row update serialises
    concurrent allocations of one brand on both databases."""
    query = (
        update(CodeNamespace).values(next_serial=CodeNamespace.next_serial + count).returning(CodeNamespace.next_serial)
    )
    after = (await session.execute(query)).scalar_one()
    return int(after) - count


# suppliers -----------------------------------------------------------------------------------


async def get_supplier(session: AsyncSession, supplier_id: int) -> Supplier | None:
    return await session.get(Supplier, supplier_id)


async def supplier_named(session: AsyncSession, name: str) -> Supplier | None:
    return (await session.scalars(select(Supplier).where(Supplier.name == name))).first()


async def list_suppliers(session: AsyncSession) -> list[Supplier]:
    return list((await session.scalars(select(Supplier).order_by(Supplier.id))).all())


# batches -------------------------------------------------------------------------------------


async def get_batch(session: AsyncSession, batch_id: int) -> CodeBatch | None:
    return await session.get(CodeBatch, batch_id)


async def list_batches(
    session: AsyncSession, filters: BatchFilter, limit: int, before_id: int | None
) -> list[CodeBatch]:
    query = newest_first(select(CodeBatch), CodeBatch, limit, before_id)
    if filters.level:
        query = query.where(CodeBatch.level == filters.level)
    if filters.state:
        query = query.where(CodeBatch.state == filters.state)
    if filters.supplier_id:
        query = query.where(CodeBatch.supplier_id == filters.supplier_id)
    return list((await session.scalars(query)).all())


async def batch_for_serial(session: AsyncSession, serial: int) -> CodeBatch | None:
    """Batches own contiguous, disjoint ranges: the last one starting at or before the serial."""
    query = select(CodeBatch).where(CodeBatch.first_serial <= serial).order_by(CodeBatch.first_serial.desc()).limit(1)
    batch = (await session.scalars(query)).first()
    return batch if batch is not None and batch.last_serial >= serial else None


async def batches_for_range(session: AsyncSession, low: int, high: int) -> list[CodeBatch]:
    query = select(CodeBatch).where(CodeBatch.first_serial <= high, CodeBatch.last_serial >= low)
    return list((await session.scalars(query.order_by(CodeBatch.first_serial))).all())


# assignments (activation ranges, disjoint) --------------------------------------------------


async def assignments_in_range(session: AsyncSession, low: int, high: int) -> list[Assignment]:
    query = select(Assignment).where(Assignment.serial_from <= high, Assignment.serial_to >= low)
    return list((await session.scalars(query.order_by(Assignment.serial_from))).all())


async def activated_count(session: AsyncSession, batch_id: int) -> int:
    query = select(func.sum(Assignment.serial_to - Assignment.serial_from + 1)).where(Assignment.batch_id == batch_id)
    return int((await session.scalar(query)) or 0)


async def assignments_of_level(session: AsyncSession, level: str, limit: int) -> list[tuple[Assignment, CodeBatch]]:
    query = (
        select(Assignment, CodeBatch)
        .join(CodeBatch, CodeBatch.id == Assignment.batch_id)
        .where(CodeBatch.level == level, CodeBatch.state != "voided")
        .order_by(Assignment.id)
        .limit(limit)
    )
    return [(a, b) for a, b in (await session.execute(query)).all()]


async def list_assignments(session: AsyncSession, batch_id: int) -> list[Assignment]:
    query = select(Assignment).where(Assignment.batch_id == batch_id).order_by(Assignment.serial_from)
    return list((await session.scalars(query)).all())


# blocks --------------------------------------------------------------------------------------


async def get_block(session: AsyncSession, block_id: int) -> CodeBlock | None:
    return await session.get(CodeBlock, block_id)


async def delete_block(session: AsyncSession, block: CodeBlock) -> None:
    await session.delete(block)
    await session.flush()


async def blocks_in_range(session: AsyncSession, low: int, high: int) -> list[CodeBlock]:
    query = select(CodeBlock).where(CodeBlock.serial_from <= high, CodeBlock.serial_to >= low)
    return list((await session.scalars(query.order_by(CodeBlock.serial_from))).all())


# What the unit's facts read of each, as columns: loading ORM objects costs the scan more CPU.
_BATCH: tuple[QueryableAttribute[Any], ...] = (
    CodeBatch.id, CodeBatch.level, CodeBatch.faces, CodeBatch.product_id, CodeBatch.gtin
)  # fmt: skip
_ACTIVATION: tuple[QueryableAttribute[Any], ...] = (Assignment.product_id, Assignment.lot, Assignment.production_date)
_BLOCK: tuple[QueryableAttribute[Any], ...] = (CodeBlock.kind, CodeBlock.reason)
_A, _K = len(_BATCH), len(_BATCH) + len(_ACTIVATION)  # where the activation's and block's columns start
_FACTS = (*_BATCH, *_ACTIVATION, *_BLOCK)
_LINK: tuple[QueryableAttribute[Any], ...] = (Unit.serial, Unit.level, Unit.parent_serial, Unit.packed_at)
# Where a row of facts and chain together has the chain's columns, its part and its depth.
_L = len(_FACTS)
_PART, _DEPTH = _L + len(_LINK), _L + len(_LINK) + 1

Found = tuple[UnitBatch | None, UnitActivation | None, list[UnitBlock]]  # a unit's facts as read
Link = tuple[int, str, int | None, Any]  # a unit of a chain: (serial, level, parent serial, packed_at)


def _serial() -> BindParameter[int]:
    return bindparam("serial", type_=BigInteger)


def _depth() -> BindParameter[int]:
    return bindparam("depth", type_=Integer)


def _unit_rows_query(serial: BindParameter[int], tenant: BindParameter[int]) -> Select[Any]:
    """Each table names the tenant (prebuilt). Batches and activations are disjoint ranges, so
    each is the last one starting at or before the serial, if it reaches that far."""
    batch_id = (
        select(CodeBatch.id)
        .where(CodeBatch.first_serial <= serial, CodeBatch.tenant_id == tenant)
        .order_by(CodeBatch.first_serial.desc())
        .limit(1)
    ).correlate(None).scalar_subquery()
    assignment_id = (
        select(Assignment.id)
        .where(Assignment.serial_from <= serial, Assignment.tenant_id == tenant)
        .order_by(Assignment.serial_from.desc())
        .limit(1)
    ).correlate(None).scalar_subquery()
    assignment = and_(Assignment.id == assignment_id, Assignment.serial_to >= serial, Assignment.tenant_id == tenant)
    block = and_(CodeBlock.serial_from <= serial, CodeBlock.serial_to >= serial, CodeBlock.tenant_id == tenant)
    return (
        select(*_FACTS)
        .select_from(CodeBatch)
        .outerjoin(Assignment, assignment)
        .outerjoin(CodeBlock, block)
        .where(CodeBatch.id == batch_id, CodeBatch.last_serial >= serial, CodeBatch.tenant_id == tenant)
    )


# Built once, ``serial`` and the tenant bound per call: the scan's hot path.
_UNIT_ROWS = prebuilt(_unit_rows_query(_serial(), tenant_param()))


def _unit_facts(rows: Sequence[Sequence[Any]]) -> Found:
    """The batch, activation and blocks of ``_unit_rows_query``'s rows (its columns first in each)."""
    if not rows:
        return None, None, []
    first = rows[0]
    # An outer join's missing row reads as NULLs: product_id and kind are NOT NULL columns.
    activation = UnitActivation(*first[_A:_K]) if first[_A] is not None else None
    return UnitBatch(*first[:_A]), activation, [UnitBlock(*row[_K:_L]) for row in rows if row[_K] is not None]


async def unit_rows(session: AsyncSession, serial: int) -> Found:
    """The batch, activation and blocks covering one serial, in one round trip (a unit's facts
    need all three), one row per covering block."""
    return _unit_facts((await direct.execute(session, _UNIT_ROWS, tenant_params(session, serial=serial))).all())


# units ---------------------------------------------------------------------------------------


async def units_by_serial(session: AsyncSession, serials: Sequence[int]) -> dict[int, Unit]:
    if not serials:
        return {}
    found: dict[int, Unit] = {}
    for start in range(0, len(serials), 5000):  # stay under the databases' parameter limits
        query = select(Unit).where(Unit.serial.in_(serials[start : start + 5000]))
        found.update((u.serial, u) for u in (await session.scalars(query)).all())
    return found


def _chain(serial: BindParameter[int], depth: BindParameter[int], tenant: BindParameter[int]) -> CTE:
    """The unit and at most ``depth`` units it sits in, each with its ``depth``; both members name
    the tenant (prebuilt)."""
    parent = aliased(Unit)
    start = select(*_LINK, literal(0).label("depth"))
    chain = start.where(Unit.serial == serial, Unit.tenant_id == tenant).cte("chain", recursive=True)
    return chain.union_all(
        select(parent.serial, parent.level, parent.parent_serial, parent.packed_at, chain.c.depth + 1).where(
            parent.serial == chain.c.parent_serial, chain.c.depth < depth, parent.tenant_id == tenant
        )
    )


def _links(chain: CTE) -> tuple[Any, ...]:
    return chain.c.serial, chain.c.level, chain.c.parent_serial, chain.c.packed_at


def _chain_query() -> Select[Any]:
    chain = _chain(_serial(), _depth(), tenant_param())
    return select(*_links(chain)).order_by(chain.c.depth)


# A recursive query costs more to build than to run: built once, ``serial``, ``depth`` and the
# tenant bound per call (the scan's hot path).
_CHAIN = prebuilt(_chain_query())


def _unit_links(rows: Sequence[Sequence[Any]]) -> list[Link]:
    """The chain of ``_chain``'s rows, its link columns alone in each."""
    return [(unit, level, above, at) for unit, level, above, at in rows]


async def unit_chain(session: AsyncSession, serial: int, depth: int) -> list[Link]:
    """``serial`` and the units it sits in, nearest first, in one round trip (a recursive
    query): (serial, level, parent serial, packed_at), at most ``depth`` parents."""
    rows = await direct.execute(session, _CHAIN, tenant_params(session, serial=serial, depth=depth))
    return _unit_links(rows.all())


def _unit_rows_and_chain_query() -> CompoundSelect[Any]:
    """``_UNIT_ROWS`` and ``_CHAIN`` as one statement: the two row shapes side by side, each
    padded with the other's columns as NULLs (cast, so that PostgreSQL types every column of the
    UNION alike), then which part a row is (0: facts, 1: chain) and its depth in the chain. No
    ORDER BY: a sort could reorder the blocks' rows, which ``unit_rows`` gives as the join does;
    the chain's few rows are put in order when read."""
    serial, tenant = _serial(), tenant_param()
    chain = _chain(serial, _depth(), tenant)
    facts = _unit_rows_query(serial, tenant).add_columns(
        *(cast(null(), column.type) for column in _LINK),
        literal_column("0", Integer).label("part"),
        cast(null(), Integer).label("depth"),
    )
    links = select(
        *(cast(null(), column.type) for column in _FACTS),
        *_links(chain),
        literal_column("1", Integer).label("part"),
        chain.c.depth,
    )
    return union_all(facts, links)


_UNIT_ROWS_AND_CHAIN = prebuilt(_unit_rows_and_chain_query())  # built once: every consumer scan runs it


UnitRowsAndChain = tuple[UnitBatch | None, UnitActivation | None, list[UnitBlock], list[Link]]


def unit_rows_and_chain_later(session: AsyncSession, serial: int, depth: int) -> tuple[Executable, dict[str, Any]]:
    """``unit_rows`` and ``unit_chain`` of one serial as one statement (the consumer scan wants
    both), not run: ``direct.execute`` it or send it with others (``direct.Deferred``); its rows
    through ``unit_rows_and_chain_in``."""
    return _UNIT_ROWS_AND_CHAIN, tenant_params(session, serial=serial, depth=depth)


def unit_rows_and_chain_in(found: direct.Rows) -> UnitRowsAndChain:
    rows = found.all()
    links = sorted((row for row in rows if row[_PART] == 1), key=lambda row: row[_DEPTH])
    batch, activation, blocks = _unit_facts([row for row in rows if row[_PART] == 0])
    return batch, activation, blocks, _unit_links([row[_L:_PART] for row in links])


async def children_of(session: AsyncSession, parent_serials: Sequence[int]) -> list[Unit]:
    if not parent_serials:
        return []
    query = select(Unit).where(Unit.parent_serial.in_(parent_serials)).order_by(Unit.serial)
    return list((await session.scalars(query)).all())


async def first_children(session: AsyncSession, parent_serial: int, limit: int) -> list[Unit]:
    query = select(Unit).where(Unit.parent_serial == parent_serial).order_by(Unit.serial).limit(limit)
    return list((await session.scalars(query)).all())


@cache
def _count_children_query() -> Select[Any]:
    return select(func.count()).select_from(Unit).where(Unit.parent_serial == bindparam("parent", type_=BigInteger))


async def count_children(session: AsyncSession, parent_serial: int) -> int:
    return int(await session.scalar(_count_children_query(), {"parent": parent_serial}) or 0)


async def count_packed(session: AsyncSession, low: int, high: int) -> int:
    query = (
        select(func.count())
        .select_from(Unit)
        .where(Unit.serial >= low, Unit.serial <= high, Unit.parent_serial.is_not(None))
    )
    return int(await session.scalar(query) or 0)


# exports and legacy codes --------------------------------------------------------------------


async def get_export(session: AsyncSession, export_id: int) -> CodeExport | None:
    return await session.get(CodeExport, export_id)


async def list_exports(session: AsyncSession, batch_id: int) -> list[CodeExport]:
    query = select(CodeExport).where(CodeExport.batch_id == batch_id).order_by(CodeExport.id.desc())
    return list((await session.scalars(query)).all())


async def legacy_code(session: AsyncSession, code: str) -> LegacyCode | None:
    return (await session.scalars(select(LegacyCode).where(LegacyCode.code == code))).first()
