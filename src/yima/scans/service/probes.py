"""The benchmark's reference use case (``POST /bench/minimal``, bench/scan.py): what every scan
pays at the least, to measure the scan against. The brand comes from the code's prefix and the
serial from the token (both without the database once warm: cached in process, pure
computation), then one indexed SELECT (the code's first scan) and one INSERT (a scan record)
in the request's transaction. Served only with ``YIMA_BENCH_ROUTES=1``."""

from __future__ import annotations

from dataclasses import dataclass

from yima.codes import service as codes
from yima.codes.errors import BadCode, UnknownCode
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, NotFound
from yima.scans.repository import probes as repo

PROBE = "probe"  # level, state and outcome of a probe's scan record: never taken for a real scan


@dataclass(frozen=True)
class ProbeScan:
    scan_id: int
    first_scan_id: int


async def probe_scan(ctx: Ctx, text: str) -> ProbeScan:
    """Record a probe scan of a printed code; its id and the code's first scan's."""
    tenant_id = await codes.owner_of_printed(ctx.session, text)
    if tenant_id is None:
        raise NotFound("no brand issued this code", [FieldError("code", "unknown code", "unknown")])
    await identity.enter_tenant(ctx, tenant_id)
    try:
        located = await codes.locate(ctx, text)
    except (UnknownCode, BadCode) as exc:
        raise NotFound("this brand issued no such code", exc.details) from exc
    first = await repo.first_scan_id(ctx.session, located.serial)
    scan_id = await repo.insert_scan(
        ctx.session,
        {
            "tenant_id": tenant_id,
            "serial": located.serial,
            "face": located.face.name.lower() if located.face is not None else None,
            "level": PROBE,
            "input_kind": located.kind,
            "state": PROBE,
            "outcome": PROBE,
            "scanned_at": ctx.now(),
        },
    )
    return ProbeScan(scan_id=scan_id, first_scan_id=first if first is not None else scan_id)
