"""The EPCIS 2.0 REST binding at /epcis (GS1 ``openapi.yaml``): capture and query.

Authentication and permissions are yima's own (an OAuth 2.0 token with ``trace:write`` to capture,
``trace:read`` to query, or a console session); answers carry the binding's GS1 headers, and
errors are RFC 7807 problems (problems.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from yima.identity.permissions import requires
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError
from yima.trace import service
from yima.trace.api.problems import DISCOVERY_HEADERS, GS1_HEADERS, EpcisRoute
from yima.trace.epcis.queries import PAGING, PARAMETERS
from yima.trace.errors import CaptureTooLarge, EpcisInvalid, NotAcceptable, UnsupportedMediaType
from yima.trace.permissions import TRACE_READ, TRACE_WRITE
from yima.trace.schemas import CaptureRead, EventPage

router = APIRouter(prefix="/epcis", tags=["epcis"], route_class=EpcisRoute)
JSON_LD = "application/ld+json"
_CAPTURE_TYPES = ("application/json", JSON_LD)
_CAPTURE_HEADERS = {
    "GS1-EPCIS-Capture-Limit": str(service.CAPTURE_LIMIT),
    "GS1-EPCIS-Capture-File-Size-Limit": str(service.FILE_SIZE_LIMIT),
    "GS1-Capture-Error-Behaviour": "rollback",
}
_DOCUMENT_BODY = {
    "description": "An EPCISDocument (or EPCISQueryDocument) in JSON-LD, valid against the GS1 EPCIS 2.0 schema",
    "required": True,
    "content": {t: {"schema": {"type": "object"}} for t in _CAPTURE_TYPES},
}
_QUERY_PARAMETERS = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "one value, or several separated by |",
    }
    for name in (*PARAMETERS, *PAGING)
]


def _json_ld(body: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status_code, media_type=JSON_LD, headers={**GS1_HEADERS, **(headers or {})})


def _check_capture_request(request: Request) -> None:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _CAPTURE_TYPES:
        raise UnsupportedMediaType(f"capture takes {' or '.join(_CAPTURE_TYPES)}, not {media_type or 'no type'}")
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > service.FILE_SIZE_LIMIT:
        raise CaptureTooLarge(f"a capture is at most {service.FILE_SIZE_LIMIT:,} bytes; split the document")
    version = request.headers.get("gs1-epcis-version")
    if version and not version.strip().startswith("2."):
        raise NotAcceptable(f"this repository speaks EPCIS 2.0, not {version}")
    behaviour = request.headers.get("gs1-capture-error-behaviour")
    if behaviour and behaviour.strip().lower() != "rollback":
        raise EpcisInvalid(
            "only rollback capture is offered: a document is stored whole or not at all",
            [FieldError("GS1-Capture-Error-Behaviour", f"{behaviour!r} is not supported", "header")],
        )


@router.get("", summary="The top-level resources of this EPCIS repository")
async def top_level(ctx: Ctx = requires(TRACE_READ)) -> JSONResponse:
    body = {
        "@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        "type": "Collection",
        "member": ["capture", "events"],
    }
    return JSONResponse(body, headers=GS1_HEADERS)


@router.options("/capture", status_code=status.HTTP_204_NO_CONTENT, summary="What capture accepts")
async def capture_options(ctx: Ctx = requires(TRACE_READ)) -> Response:
    headers = {**DISCOVERY_HEADERS, **_CAPTURE_HEADERS, "Allow": "OPTIONS, POST, GET"}
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers=headers)


@router.post(
    "/capture",
    status_code=status.HTTP_201_CREATED,
    response_model=CaptureRead,
    responses={202: {"model": CaptureRead, "description": "A capture job; follow Location"}},
    openapi_extra={"requestBody": _DOCUMENT_BODY},
)
async def capture(request: Request, ctx: Ctx = requires(TRACE_WRITE)) -> JSONResponse:
    """Capture an EPCISDocument, all or nothing. Up to 500 events are stored before the answer
    (201); a larger document (up to 10,000 events) becomes a capture job (202). Either way
    ``Location`` names the capture job (``captureID``); an invalid document is refused whole
    (400) with every problem and its JSON pointer."""
    _check_capture_request(request)
    job, finished = await service.capture_document(ctx, await request.body())
    headers = {**_CAPTURE_HEADERS, "Location": f"/epcis/capture/{job.capture_id}"}
    code = status.HTTP_201_CREATED if finished else status.HTTP_202_ACCEPTED
    return JSONResponse(job.model_dump(mode="json"), status_code=code, headers={**GS1_HEADERS, **headers})


@router.get("/capture/{captureID}", response_model=CaptureRead)
async def capture_job(capture_id: str = PathParam(alias="captureID"), ctx: Ctx = requires(TRACE_READ)) -> JSONResponse:
    """A capture job: ``running``, ``success``, and the ``errors`` (JSON pointer and message) of
    a refused document."""
    job = await service.get_capture(ctx, capture_id)
    return JSONResponse(job.model_dump(mode="json"), headers=GS1_HEADERS)


@router.get("/events", summary="Query events", openapi_extra={"parameters": _QUERY_PARAMETERS})
async def events(request: Request, ctx: Ctx = requires(TRACE_READ)) -> JSONResponse:
    """An EPCISQueryDocument of the events matching the EPCIS query parameters, ``perPage``
    at a time (default 30); while more remain, ``Link: <…>; rel="next"`` carries nextPageToken."""
    filters, per_page, token = service.parse_query(request.query_params.multi_items())
    page = await service.query_events(ctx, filters, per_page, token)
    headers = {}
    if page.next_page_token:
        following = request.url.include_query_params(nextPageToken=page.next_page_token)
        headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    return _json_ld(service.query_document(ctx, page), headers=headers)


@router.get("/events/{eventID:path}", summary="One event, by its eventID (URL-encoded)")
async def event(event_id: str = PathParam(alias="eventID"), ctx: Ctx = requires(TRACE_READ)) -> JSONResponse:
    """An EPCISQueryDocument holding the event whose eventID is given (URL-encoded: an
    ``ni:///sha-256;…?ver=CBV2.0`` hash becomes ``ni%3A%2F%2F%2Fsha-256%3B…``)."""
    found = await service.get_event(ctx, event_id)
    return _json_ld(service.query_document(ctx, EventPage(events=[found])))
