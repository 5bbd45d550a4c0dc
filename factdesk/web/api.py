"""The JSON API under ``/api/v1`` (documented by the OpenAPI schema at
``/api/v1/openapi.json``). The newsroom's own API is the public tipline endpoint; the
publishing area adds its read endpoints beside it."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from factdesk.errors import InputError, TooLarge
from factdesk.services import tipline
from factdesk.types import Tip
from factdesk.web.deps import client_address, desk
from factdesk.web.limits import Refused

router = APIRouter(prefix="/api/v1")


class SubmissionIn(BaseModel):
    """A tip: the claim in words, a link to where it was seen, or both."""

    text: str = Field("", description="The claim, in the sender's words.")
    url: str = Field("", description="Where the claim was seen (http or https).")
    contact: str = Field("", description="Optional: how the desk may reach the sender.")
    website: str = Field("", description="Leave empty (a trap for bots).")


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refusing more than ``limit`` bytes without reading them all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the request is over {limit} bytes", where="body")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"the request is over {limit} bytes", where="body")
    return bytes(body)


def store_tip(request: Request, tip: Tip) -> int | None:
    state = desk(request)
    with state.factory.begin() as session:
        return tipline.submit(state.settings, session, tip, client_address(request))


@router.post(
    "/submissions",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": SubmissionIn.model_json_schema()}},
        }
    },
    responses={
        201: {"description": "Received"},
        400: {"description": "Unusable tip"},
        413: {"description": "Too large"},
        415: {"description": "Not sent as application/json"},
        429: {"description": "Too many tips"},
    },
)
async def create_submission(request: Request) -> Response:
    """Send a claim or a link to the desk; no account needed. Rate-limited per address.

    JSON only (``415`` otherwise): a browser sends JSON cross-site only after a CORS
    preflight the desk never answers, so other sites cannot make their visitors send tips
    (a plain form post or ``text/plain`` needs no preflight)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise Refused(415, "send the tip as application/json", "content-type")
    raw = await read_limited(request, tipline.MAX_BODY)
    try:
        data: Any = json.loads(raw or b"{}")
        tip = SubmissionIn.model_validate(data)
    except (ValueError, ValidationError, RecursionError) as exc:
        raise InputError(
            f"send a JSON object with text and/or url ({type(exc).__name__})", where="body"
        ) from None
    await run_in_threadpool(store_tip, request, Tip(**tip.model_dump()))
    return JSONResponse({"status": "received"}, status_code=201)
