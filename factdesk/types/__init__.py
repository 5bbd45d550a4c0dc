"""The records that flow through the desk, one shape per thing.

Frozen dataclasses: parsers produce them, the core transforms them, the service layer and the
store's read queries return them, and the shells render them (HTML, JSON, terminal tables).
The store maps them to and from its ORM rows at its own edge; nothing here knows about the
database, the network or the web. Records carry behaviour only where it is a plain reading
of their own fields.

Import them from here (``from factdesk.types import FactCheck``); the modules only group
them: ``content`` (items, mentions, claims, alerts), ``factchecks`` (fact-checks, citations,
matches), ``newsroom`` (actors, settings, the rows of the newsroom's pages), ``publishing``
(organisation, archived copies, webhooks) and ``reports`` (what an operation did).
"""

from factdesk.types.content import (
    Alert,
    Claim,
    ClaimDetail,
    ClaimPage,
    Item,
    Mention,
    MergeResult,
    ParseResult,
    Passage,
    RankedClaim,
    Rejected,
    SimilarClaim,
    SplitResult,
    Stance,
    Verdict,
)
from factdesk.types.factchecks import (
    Appearance,
    Band,
    CheckResult,
    Citation,
    ClaimLink,
    FactCheck,
    Match,
    Rating,
    Revision,
    Why,
)
from factdesk.types.newsroom import (
    DEFAULT_SCALE,
    Account,
    Actor,
    ArchivedPage,
    AuditEvent,
    Comment,
    Dashboard,
    DeskSettings,
    EvidenceDocument,
    InReview,
    Page,
    Quarantined,
    ReadToken,
    ScaleStep,
    SignedIn,
    Source,
    Submission,
    Tip,
    WorkInProgress,
)
from factdesk.types.publishing import ArchivedCopy, Delivery, Organisation, Outcome, Webhook
from factdesk.types.reports import Check, DetectReport, ExportReport, IngestReport

__all__ = [
    "DEFAULT_SCALE",
    "Account",
    "Actor",
    "Alert",
    "Appearance",
    "ArchivedCopy",
    "ArchivedPage",
    "AuditEvent",
    "Band",
    "Check",
    "CheckResult",
    "Citation",
    "Claim",
    "ClaimDetail",
    "ClaimLink",
    "ClaimPage",
    "Comment",
    "Dashboard",
    "Delivery",
    "DeskSettings",
    "DetectReport",
    "EvidenceDocument",
    "ExportReport",
    "FactCheck",
    "InReview",
    "IngestReport",
    "Item",
    "Match",
    "MergeResult",
    "Mention",
    "Organisation",
    "Outcome",
    "Page",
    "ParseResult",
    "Passage",
    "Quarantined",
    "RankedClaim",
    "Rating",
    "ReadToken",
    "Rejected",
    "Revision",
    "ScaleStep",
    "SignedIn",
    "SimilarClaim",
    "Source",
    "SplitResult",
    "Stance",
    "Submission",
    "Tip",
    "Verdict",
    "Webhook",
    "Why",
    "WorkInProgress",
]
