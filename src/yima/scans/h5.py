"""The public code page (防伪查询) at every printed URL: /c/{token}, /C/{token} and GS1 Digital
Link /01/{gtin}/21/{serial}. What a phone opens when it scans a code."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from yima.identity.permissions import public
from yima.platform.ctx import Ctx
from yima.platform.web import h5
from yima.scans import service

router = APIRouter(include_in_schema=False)


async def _page(request: Request, ctx: Ctx, text: str) -> HTMLResponse:
    request.app.state.limiters["scan"].hit(ctx.ip or "?")
    try:
        page = await service.open_code(ctx, text, request.headers.get("user-agent"))
    except service.NotOurCode:
        return h5.render(request, "scans/unknown.html", {"title": "查询结果"}, status_code=404)
    return h5.render(
        request, "scans/code.html", {"page": page, "brand_name": page.brand_name, "title": page.brand_name}
    )


@router.get("/c/{token}", response_class=HTMLResponse)
@router.get("/C/{token}", response_class=HTMLResponse)
async def code_page(token: str, request: Request, ctx: Ctx = public()) -> HTMLResponse:
    return await _page(request, ctx, token)


@router.get("/01/{rest:path}", response_class=HTMLResponse)
async def digital_link_page(rest: str, request: Request, ctx: Ctx = public()) -> HTMLResponse:
    # The whole URL: a Digital Link is parsed (and checked) as the URI it is.
    return await _page(request, ctx, str(request.url.replace(query="", fragment="")))


routers = [router]
