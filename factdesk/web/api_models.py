"""The typed shapes of the JSON API under ``/api/v1``, and how its OpenAPI document says
who may call what.

Every read route declares one of these models as its ``response_model``: the OpenAPI
document then describes each field (a generated client gets real types, not
``additionalProperties: true``) and FastAPI checks every answer against it. The models
describe the documents :mod:`factdesk.publish.documents` builds — those stay the single
source of the JSON, shared with the public ``.json`` pages and the webhook payloads.

Security, per operation (:data:`PUBLIC`, :data:`READ`, :data:`ADMIN`): public reads need
nothing; claims and matching take a partner's read token (``Authorization: Bearer
fdt_...``) or a newsroom session; managing webhooks and tokens needs an admin session and,
for writes, its CSRF token in ``X-CSRF-Token``. :func:`openapi_document` adds the schemes
and the ``servers`` entry (the public base URL) to the generated document.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from factdesk.web.deps import SESSION_COOKIE

# Dates the documents write as ISO 8601 text, offsets kept as the record has them.
When = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Url = Annotated[str, Field(json_schema_extra={"format": "uri"})]

SCHEMES: dict[str, dict[str, Any]] = {
    "readToken": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "fdt_…",
        "description": "A partner's read token (`factdesk tokens add NAME`). It only reads.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "A signed-in newsroom account (sign in at /desk/login).",
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": "The session's CSRF token; required with the session on every POST.",
    },
}
PUBLIC: dict[str, Any] = {"security": []}
READ: dict[str, Any] = {"security": [{"readToken": []}, {"session": []}]}
ADMIN: dict[str, Any] = {"security": [{"session": []}]}
ADMIN_WRITE: dict[str, Any] = {"security": [{"session": [], "csrf": []}]}


class Error(BaseModel):
    """Every error under /api: what went wrong and, when known, where in the input."""

    error: str
    where: str | None = None


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route that may answer with these error statuses."""
    described = {
        400: "Unusable input",
        401: "No valid read token or session",
        403: "Signed in without the permission, or the CSRF token is missing",
        404: "Not found (or not public)",
        413: "Too large (the body, or the fetched document over its limit)",
        502: "The source could not be fetched",
    }
    return {code: {"model": Error, "description": described[code]} for code in codes}


# --- fact-checks ---------------------------------------------------------------------------


class FactCheckSummary(BaseModel):
    """A public fact-check in a list. ``version`` is the public revision."""

    id: int
    status: str = Field(..., description="published, corrected or withdrawn")
    url: Url
    json_url: Url
    claim_reviewed: str
    title: str | None
    rating: str | None = Field(..., description="The rating's label; null once withdrawn.")
    summary: str | None
    language: str | None = Field(..., description="ISO 639-1 code of the fact-check.")
    date_published: When | None
    date_modified: When | None
    version: int


class FactCheckList(BaseModel):
    query: str
    language: str | None
    total: int
    offset: int
    limit: int
    fact_checks: list[FactCheckSummary]


class RatingOut(BaseModel):
    label: str
    value: float | None
    best: float | None
    worst: float | None


class AppearanceOut(BaseModel):
    url: str
    date: When | None


class CitationOut(BaseModel):
    url: str
    quote: str
    publisher: str | None
    date: str | None = Field(..., description="The source's date: YYYY, YYYY-MM or YYYY-MM-DD.")
    archived_copy: Url | None
    archived_at: When | None


class RevisionOut(BaseModel):
    version: int
    kind: str = Field(..., description="published, corrected or withdrawn")
    at: When
    note: str | None


class AuthorOut(BaseModel):
    name: str
    url: str | None


class FactCheckOut(FactCheckSummary):
    """Everything the public page shows, and its schema.org ClaimReview (none once
    withdrawn)."""

    rating: RatingOut | None  # type: ignore[assignment]
    explanation: str | None
    claim_date: When | None
    appearances: list[AppearanceOut]
    first_appearance: AppearanceOut | None
    citations: list[CitationOut]
    history: list[RevisionOut]
    withdrawn: bool
    withdrawal_note: str | None
    author: AuthorOut
    claimreview: dict[str, Any] | None = Field(
        ..., description="The ClaimReview JSON-LD the public page carries."
    )


# --- claims --------------------------------------------------------------------------------


class Verdict(BaseModel):
    """Our public fact-check of a claim: a link and the rating."""

    id: int
    status: str
    rating: str | None
    url: Url


class ClaimOut(BaseModel):
    """A claim: text, language, counts and dates — never who posted it."""

    id: int
    text: str
    language: str | None
    status: str
    score: float
    mention_count: int
    first_seen_at: When | None
    last_seen_at: When | None
    fact_check: Verdict | None


class ClaimList(BaseModel):
    total: int
    offset: int
    limit: int
    claims: list[ClaimOut]


class DayCount(BaseModel):
    date: str = Field(..., json_schema_extra={"format": "date"})
    mentions: int


class ClaimTrendOut(ClaimOut):
    merged_into: int | None
    mentions_per_day: list[DayCount]


# --- webhooks and tokens -------------------------------------------------------------------


class WebhookOut(BaseModel):
    """A webhook as listed: never its secret."""

    id: int
    url: str
    events: str = Field(..., description="Comma-separated event names, or '*'.")
    active: bool
    created_at: datetime | None
    pending: int
    delivered: int
    failed: int


class WebhookCreated(BaseModel):
    id: int
    url: str
    events: list[str]
    secret: str = Field(..., description="whsec_<base64 key>, shown only in this answer.")


class WebhookActive(BaseModel):
    id: int
    active: bool


class PingOut(BaseModel):
    """A test event sent now: what the receiver answered (``ok``: a 2xx)."""

    webhook_id: int
    url: str
    message_id: str = Field(..., description="The webhook-id header sent.")
    status: int | None = Field(..., description="The receiver's HTTP status; null: no answer.")
    answer: str = Field(..., description="The start of the receiver's answer (2,000 bytes).")
    error: str | None
    ok: bool


class SecretRotated(BaseModel):
    id: int
    secret: str = Field(..., description="The new whsec_<base64 key>, shown only here.")


class DeliveryOut(BaseModel):
    id: int
    webhook_id: int
    url: str
    event: str
    status: str = Field(..., description="pending, delivered or failed")
    attempts: int
    response_status: int | None
    last_error: str | None
    created_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class DeliveryRetried(BaseModel):
    id: int
    status: str


class TokenCreated(BaseModel):
    id: int
    name: str
    token: str = Field(..., description="fdt_…, shown only in this answer.")


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class TokenRevoked(BaseModel):
    id: int
    revoked: bool


def openapi_document(app: FastAPI, base_url: str) -> dict[str, Any]:
    """The OpenAPI document with the security schemes and the public base URL as server
    (generated once per app, as FastAPI does)."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=(
                "The factdesk API: public fact-checks, claims and matching for partners "
                "with a read token, webhooks and tokens for the desk's admins."
            ),
            routes=app.routes,
            servers=[{"url": base_url.rstrip("/") or "/"}],
        )
        schema.setdefault("components", {})["securitySchemes"] = SCHEMES
        app.openapi_schema = schema
    return app.openapi_schema


# --- the research desk: the evidence library and research (factdesk.web.api_research) ----

#: Adding a source is a checker's work: a newsroom session with the WORK permission and its
#: CSRF token (read tokens never write).
DESK_WRITE: dict[str, Any] = {"security": [{"session": [], "csrf": []}]}

#: Said with every research answer, because a stance label reads like a ruling and is not one.
STANCE_NOTICE = (
    "Stance is a model's reading: an aid to the person checking, never a verdict. "
    "Read each passage in its source."
)


class LibrarySourceOut(BaseModel):
    """A source of the evidence library (one URL or file) with its counts."""

    id: int
    location: str = Field(..., description="The URL, or file:NAME for an uploaded file.")
    kind: str = Field(..., description="html, pdf, text, markdown or csv.")
    title: str | None
    publisher: str | None = None
    published: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD.")
    url: str | None = None
    language: str | None = None
    withdrawn: bool = False
    version_count: int
    passage_count: int = Field(..., description="Passages of the current version.")
    current_version_id: int | None = None
    created_at: When | None = None


class LibrarySourceList(BaseModel):
    total: int
    offset: int
    limit: int
    sources: list[LibrarySourceOut]


class SourceVersionOut(BaseModel):
    """One archived copy of a source: the bytes as retrieved, their SHA-256 and when."""

    id: int = Field(..., description="The archived version's id (citations point to it).")
    version: int
    content_hash: str
    retrieved_at: When | None
    content_type: str | None
    size: int = Field(..., description="Bytes archived.")
    passage_count: int


class LibrarySourceDetail(LibrarySourceOut):
    versions: list[SourceVersionOut] = Field(..., description="Newest first.")


class LibrarySourceIn(BaseModel):
    """A source to fetch and archive (http or https; the desk's address rules apply)."""

    url: str = Field(..., min_length=1, max_length=2000)
    title: str = Field("", max_length=1000)
    publisher: str = Field("", max_length=300)
    published: str = Field("", max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD.")
    language: str = Field("", max_length=8, description="Two letters; detected when empty.")


class LibrarySourceAdded(BaseModel):
    outcome: str = Field(..., description="added, new_version or unchanged (same bytes).")
    version_id: int
    passages: int
    source: LibrarySourceOut


class ResearchIn(BaseModel):
    claim: str = Field(..., min_length=1, max_length=2000, description="The claim's text.")
    k: int = Field(8, ge=1, le=50, description="How many passages at most.")
    language: str | None = Field(None, max_length=8, description="Only passages in it.")


class Span(BaseModel):
    start: int
    end: int


class EvidenceOut(BaseModel):
    """A library passage found for the claim, where it comes from, how well it matched, and
    the stance model's reading of it."""

    passage_id: int
    text: str
    stance: str = Field(..., description="supports, refutes or not_enough_info.")
    confidence: float
    stance_probabilities: dict[str, float] = Field(
        ..., description="Calibrated probability of each stance; empty when the model has none."
    )
    score: float = Field(..., description="Retrieval score (fused ranks; 1.0 is first in both).")
    source_id: int
    source_url: str = Field(..., description="The source's URL, or file:NAME.")
    source_title: str | None
    version_id: int = Field(..., description="The archived source version quoted.")
    position: int
    start: int = Field(..., description="Character offset of the passage in the version's text.")
    end: int
    highlights: list[Span] = Field(..., description="Spans of text sharing the claim's words.")
    language: str | None = None


class ResearchOut(BaseModel):
    claim: str
    notice: str = Field(STANCE_NOTICE, description="Always shown with stance.")
    stance_model: str = Field(..., description="Which model read the stance.")
    passages: list[EvidenceOut]
