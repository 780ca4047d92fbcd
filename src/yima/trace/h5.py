"""Phone pages for logistics (/m/trace): 入库, 出库发货, 收货/签收, 退货 by brand staff, and by
dealers' and stores' own people (channel accounts), on a handheld scanner or a phone.

Staff sign in once at the console and the pages use the same session cookie; a channel account
signs in at /m/partner/login (phone + SMS code) and acts only as its own dealer or store: the
forms offer just those, and the service refuses anything else. The forms are plain
HTML posts carrying the session's CSRF token in a hidden field (the API takes it in a header,
which a form cannot send), checked here as the console's sign-out does. Codes travel as a
textarea, one per line, so the pages work without JavaScript; ``/static/trace-scan.js`` turns it
into a scan list (Enter adds a code, counts per level, the camera where ``BarcodeDetector`` is).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import ValidationError

from yima.codes import service as codes
from yima.codes.errors import BadCode, UnknownCode
from yima.identity import service as identity
from yima.identity.permissions import SESSION_COOKIE, public, requires
from yima.partners import service as partners
from yima.partners.permissions import BRAND_COOKIE, CHANNEL_COOKIE
from yima.partners.schemas import DealerFilter, StoreFilter, WarehouseFilter
from yima.platform import crypto
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Forbidden, Invalid, NotFound
from yima.platform.web import h5
from yima.trace import service
from yima.trace.permissions import LOGISTICS_WRITE
from yima.trace.schemas import (
    MAX_LOGISTICS_CODES,
    GoodsReturn,
    LogisticsResult,
    PartyKind,
    PartyRef,
    Receipt,
    Shipment,
    WarehouseIn,
)

router = APIRouter(prefix="/m/trace", include_in_schema=False)
LOGIN_URL = "/console/login"
PARTNER_LOGIN_URL = "/m/partner/login"
CHOICES_LIMIT = 500  # partners offered per kind in a select list; past it the field also takes a typed code
TYPED = "_code"  # the form field a party's code is typed in: "<field>_code"
KIND_NAMES = {"warehouse": "仓库", "dealer": "经销商", "store": "门店"}
LEVEL_NAMES = {"pallet": "托", "case": "箱", "bottle": "瓶"}
STATE_PROBLEMS = {"inactive": "未激活", "voided": "已作废", "blacklisted": "已停用（黑名单）"}
# The service's refusal codes (FieldError.code), said in Chinese; anything else shows its message.
PROBLEMS = {
    "unknown_code": "无法识别：不是本品牌的码，或输入有误",
    **STATE_PROBLEMS,
    "not_found": "不存在",
    "mismatch": "不属于所选仓库",
    "bad_source": "门店不能发货，请用退货",
    "bad_destination": "此去向不可用",
    "bad_receiver": "仓库请用入库",
    "missing": "请选择",
    "unknown_partner": "没有此编码，或已停用",
    "not_your_partner": "只能以您自己的经销商或门店办理",
    "too_few": "请至少扫描一个码",
    "too_many": f"一次最多 {MAX_LOGISTICS_CODES} 个码，请分批提交",
}


@dataclass(frozen=True)
class Operation:
    slug: str
    title: str
    hint: str
    parties: tuple[tuple[str, str, tuple[PartyKind, ...]], ...]  # (form field, label, kinds offered)
    # The field a channel account fills with its own dealer or store; None: staff only.
    acting: str | None
    record: Callable[[Ctx, list[str], dict[str, PartyRef], str | None], Awaitable[LogisticsResult]]


OPERATIONS = {
    op.slug: op
    for op in (
        Operation(
            "warehouse-in",
            "入库",
            "托盘、箱或瓶入库到仓库，所含下级随之入库",
            (("warehouse", "入库仓库", ("warehouse",)),),
            None,
            lambda ctx, texts, p, ref: service.warehouse_in(
                ctx, WarehouseIn(codes=texts, warehouse_id=p["warehouse"].id, reference=ref)
            ),
        ),
        Operation(
            "ship",
            "出库发货",
            "从仓库发往经销商，或经销商发往门店",
            (("source", "发货方", ("warehouse", "dealer")), ("destination", "收货方", ("dealer", "store"))),
            "source",
            lambda ctx, texts, p, ref: service.ship(
                ctx, Shipment(codes=texts, source=p["source"], destination=p["destination"], reference=ref)
            ),
        ),
        Operation(
            "receive",
            "收货 / 签收",
            "经销商收货或门店签收；门店不在经销商经营区域内将记为窜货",
            (("receiver", "收货方", ("dealer", "store")),),
            "receiver",
            lambda ctx, texts, p, ref: service.receive(
                ctx, Receipt(codes=texts, receiver=p["receiver"], reference=ref)
            ),
        ),
        Operation(
            "return",
            "退货",
            "经销商或门店退回仓库或经销商",
            (("source", "退货方", ("dealer", "store")), ("destination", "退回到", ("warehouse", "dealer"))),
            "source",
            lambda ctx, texts, p, ref: service.return_goods(
                ctx, GoodsReturn(codes=texts, source=p["source"], destination=p["destination"], reference=ref)
            ),
        ),
    )
}


async def _sign_in(request: Request, ctx: Ctx) -> str | None:
    """Act as the staff member of the console session, else as the channel account of the
    phone session; their CSRF token, or None if signed out."""
    token = request.cookies.get(SESSION_COOKIE)
    staff = await identity.resolve_console_session(ctx.session, token) if token else None
    if staff is not None:
        ctx.tenant, ctx.actor, ctx.locale = staff.tenant, staff.actor, staff.console_session.locale
        csrf: str | None = staff.console_session.csrf_token
    else:
        csrf = await partners.channel_session(ctx, request.cookies.get(CHANNEL_COOKIE))
        if csrf is None:
            return None
    if not ctx.actor.can(LOGISTICS_WRITE.name):
        raise Forbidden("logistics:write is required", code="permission_denied")
    return csrf


def _signed_out(request: Request) -> HTMLResponse:
    here = request.url.path if request.method == "GET" else "/m/trace"
    back = urlencode({"next": here})
    brand = request.cookies.get(BRAND_COOKIE, "")[:40]  # the brand this phone last signed in to
    partner_login = f"{PARTNER_LOGIN_URL}?{urlencode({'brand': brand, 'next': here} if brand else {'next': here})}"
    context = {"title": "请先登录", "login_url": f"{LOGIN_URL}?{back}", "partner_login_url": partner_login}
    return h5.render(request, "trace/signin.html", context, status_code=401)


def _operations(ctx: Ctx) -> list[Operation]:
    """What the signed-in person may do here: everything for staff; a channel account what it
    does as its own dealer or store."""
    return [op for op in OPERATIONS.values() if ctx.actor.parties is None or op.acting is not None]


def _operation(ctx: Ctx, slug: str) -> Operation:
    op = OPERATIONS.get(slug)
    if op is None or op not in _operations(ctx):
        raise NotFound(f"no operation {slug}")
    return op


Choices = dict[str, dict[str, list[tuple[str, str]]]]  # form field → kind → [(value "kind:id", "code name")]


@dataclass(frozen=True)
class Offer:
    """What the form offers: each field's choices by kind, and the fields whose list was cut at
    CHOICES_LIMIT (a dealer with more stores than that): those also take a typed code."""

    choices: Choices
    capped: frozenset[str]


def _options(rows: list[Any], kind: str) -> list[tuple[str, str]]:
    return [(f"{kind}:{p.id}", f"{p.code} {p.name}") for p in sorted(rows, key=lambda p: p.code)]


async def _channel_choices(ctx: Ctx, op: Operation) -> dict[str, dict[str, list[Any]]]:
    """A channel account's choices: its own partners where it acts, those it deals with
    elsewhere (its stores to ship to, its dealer or the warehouses to return to)."""
    known = await partners.counterparts(ctx, CHOICES_LIMIT + 1)
    offered: dict[str, dict[str, list[Any]]] = {}
    for name, _, kinds in op.parties:
        pool = known.own if name == op.acting else known.ship_to if op.slug == "ship" else known.return_to
        offered[name] = {kind: [p for p in pool if p.kind == kind] for kind in kinds}
    return offered


async def _choices(ctx: Ctx, op: Operation) -> Offer:
    """Every active partner of the kinds each field takes (staff), or a channel account's own
    and counterparts; at most CHOICES_LIMIT of a kind, by code."""
    if ctx.actor.parties is not None:
        found = await _channel_choices(ctx, op)
    else:
        kinds = {k for _, _, kinds in op.parties for k in kinds}
        listed: dict[str, list[Any]] = {}  # up to CHOICES_LIMIT + 1: the extra one says the list was cut
        if "warehouse" in kinds:
            listed["warehouse"] = await partners.list_warehouses(ctx, WarehouseFilter(active=True), CHOICES_LIMIT, None)
        if "dealer" in kinds:
            listed["dealer"] = await partners.list_dealers(ctx, DealerFilter(active=True), CHOICES_LIMIT, None)
        if "store" in kinds:
            listed["store"] = await partners.list_stores(ctx, StoreFilter(active=True), CHOICES_LIMIT, None)
        found = {name: {kind: listed[kind] for kind in kinds} for name, _, kinds in op.parties}
    capped = frozenset(name for name, by_kind in found.items() if any(len(r) > CHOICES_LIMIT for r in by_kind.values()))
    choices = {
        name: {kind: _options(rows[:CHOICES_LIMIT], kind) for kind, rows in by_kind.items()}
        for name, by_kind in found.items()
    }
    return Offer(choices, capped)


async def _typed_party(ctx: Ctx, code: str, kinds: tuple[PartyKind, ...]) -> PartyRef | None:
    """The active partner of one of ``kinds`` whose code was typed (a field past CHOICES_LIMIT)."""
    finders = {"warehouse": partners.find_warehouse, "dealer": partners.find_dealer, "store": partners.find_store}
    for kind in kinds:
        found = await finders[kind](ctx, code)
        if found is not None and found.active:
            return PartyRef(kind=kind, id=found.id)
    return None


async def _form(
    request: Request,
    ctx: Ctx,
    op: Operation,
    csrf: str,
    values: dict[str, str],
    problems: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    offer = await _choices(ctx, op)
    for name, offered in offer.choices.items():  # a single choice (a channel account's own party) is chosen
        only = [value for options in offered.values() for value, _ in options]
        if len(only) == 1 and not values.get(name):
            values = {**values, name: only[0]}
    assert ctx.tenant is not None
    context = {
        "title": op.title,
        "brand_name": ctx.tenant.name,
        "op": op,
        "choices": offer.choices,
        "capped": offer.capped,
        "typed": TYPED,
        "choices_limit": CHOICES_LIMIT,
        "kind_names": KIND_NAMES,
        "values": values,
        "csrf_token": csrf,
        "problems": problems or [],
        "max_codes": MAX_LOGISTICS_CODES,
    }
    return h5.render(request, "trace/operation.html", context, status_code=status_code)


def _party(value: str, kinds: tuple[PartyKind, ...]) -> PartyRef | None:
    kind, _, number = value.partition(":")
    if kind not in kinds or not number.isdigit() or int(number) < 1:
        return None
    return PartyRef(kind=kind, id=int(number))


def _problems(op: Operation, texts: list[str], details: list[FieldError]) -> list[tuple[str, str]]:
    """(what, why) for the page: a code's text, or the label of the field."""
    labels = {name: label for name, label, _ in op.parties} | {"warehouse_id": "入库仓库", "location_id": "库位"}
    shown: list[tuple[str, str]] = []
    for d in details:
        what = labels.get(d.field, d.field)
        if d.field.startswith("codes[") and d.field[6:-1].isdigit() and int(d.field[6:-1]) < len(texts):
            what = texts[int(d.field[6:-1])]
        shown.append((what, PROBLEMS.get(d.code, d.message)))
    return shown


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
async def home(request: Request, ctx: Ctx = public()) -> HTMLResponse:
    if await _sign_in(request, ctx) is None:
        return _signed_out(request)
    assert ctx.tenant is not None
    context = {"title": "物流作业", "brand_name": ctx.tenant.name, "operations": _operations(ctx)}
    return h5.render(request, "trace/home.html", context)


@router.get("/check")
async def check_code(
    code: str = Query(min_length=1, max_length=500), ctx: Ctx = requires(LOGISTICS_WRITE)
) -> JSONResponse:
    """What a scanned code is (for the scan list's counts): level and whether it can be used."""
    try:
        unit = await codes.describe(ctx, code)
    except (UnknownCode, BadCode):
        return JSONResponse({"ok": False, "level": None, "problem": PROBLEMS["unknown_code"]})
    return JSONResponse(
        {
            "ok": unit.state not in STATE_PROBLEMS,
            "level": unit.level,
            "level_name": LEVEL_NAMES.get(unit.level, unit.level),
            "children": unit.children_count,
            "product": unit.product.name if unit.product else None,
            "problem": STATE_PROBLEMS.get(unit.state),
        }
    )


@router.get("/{slug}", response_class=HTMLResponse)
async def operation_page(slug: str, request: Request, ctx: Ctx = public()) -> HTMLResponse:
    csrf = await _sign_in(request, ctx)
    if csrf is None:
        return _signed_out(request)
    op = _operation(ctx, slug)
    values = {name: request.query_params.get(name, "") for name, _, _ in op.parties}
    return await _form(request, ctx, op, csrf, values)


@router.post("/{slug}", response_class=HTMLResponse)
async def submit(slug: str, request: Request, ctx: Ctx = public()) -> HTMLResponse:
    csrf = await _sign_in(request, ctx)
    if csrf is None:
        return _signed_out(request)
    op = _operation(ctx, slug)
    form = await request.form()
    if not crypto.same(str(form.get("csrf_token", "")), csrf):
        raise Forbidden("missing or wrong CSRF token", code="csrf_failed")
    fields = ("reference", *(p[0] for p in op.parties), *(p[0] + TYPED for p in op.parties))
    values = {name: str(form.get(name, "")).strip()[:100] for name in fields}
    lines = str(form.get("codes", "")).splitlines()
    texts = list(dict.fromkeys(t.strip()[:500] for t in lines if t.strip()))
    reference = values["reference"].strip() or None
    parties = {name: _party(values[name], kinds) for name, _, kinds in op.parties}
    details: list[FieldError] = []
    for name, _, kinds in op.parties:  # a typed code wins over the list
        if typed := values[name + TYPED]:
            parties[name] = await _typed_party(ctx, typed, kinds)
            if parties[name] is None:
                unknown = f"no active {' or '.join(kinds)} has the code {typed}"
                details.append(FieldError(name, unknown, "unknown_partner"))
        elif parties[name] is None:
            details.append(FieldError(name, "missing", "missing"))
    values["codes"] = "\n".join(texts)
    if not texts:
        details.append(FieldError("codes", "no codes", "too_few"))
    elif len(texts) > MAX_LOGISTICS_CODES:
        details.append(FieldError("codes", "too many codes", "too_many"))
    if not details:
        try:
            result = await op.record(ctx, texts, {k: v for k, v in parties.items() if v is not None}, reference)
        except (Invalid, Forbidden) as exc:
            details = exc.details or [FieldError("", exc.message, exc.code)]
        except ValidationError as exc:
            details = [FieldError(".".join(map(str, e["loc"])), e["msg"], "invalid") for e in exc.errors()]
        else:
            assert ctx.tenant is not None
            again = "&".join(f"{name}={quote(values[name])}" for name, _, _ in op.parties)
            context = {
                "title": f"{op.title}完成",
                "brand_name": ctx.tenant.name,
                "op": op,
                "result": result,
                "scanned": len(texts),
                "again_url": f"/m/trace/{op.slug}?{again}",
            }
            return h5.render(request, "trace/done.html", context)
    problems = _problems(op, texts, details)
    return await _form(request, ctx, op, csrf, values, problems, status_code=422)


routers = [router]
