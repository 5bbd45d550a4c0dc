"""Records of the research desk: the evidence library, its passages and what retrieval finds.

``PassageText`` goes into the passage index and ``PassageHit`` comes out of it (the core,
:mod:`factdesk.search.passages`); the library's records (``LibrarySource``,
``SourceVersion``, ``LibraryPassage``) come out of the store; ``Evidence`` is one answer of
:func:`factdesk.services.research.research`: a passage, its source, how well it matched
and the stance model's reading of it (an aid to the person checking, never a verdict).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from factdesk.types.content import Verdict


@dataclass(frozen=True, slots=True)
class PassageText:
    """One passage to index: the caller's key for it (any string), its text and language."""

    key: str
    text: str
    language: str | None = None


@dataclass(frozen=True, slots=True)
class PassageHit:
    """A passage retrieval found for a query.

    ``score`` is the reciprocal-rank fusion of the lexical and dense rankings, scaled so
    that first place in both is 1.0; ``bm25`` and ``cosine`` are the raw signals (``None``
    when that ranking did not propose the passage or there is no embedding model).
    ``highlights`` are ``(start, end)`` character spans of ``text`` holding the words the
    query shares with it, in order and not overlapping."""

    key: str
    text: str
    score: float
    rank: int
    language: str | None = None
    bm25: float | None = None
    cosine: float | None = None
    lexical_rank: int | None = None
    dense_rank: int | None = None
    highlights: tuple[tuple[int, int], ...] = ()

    @property
    def words(self) -> list[str]:
        """The highlighted words as written, once each, in text order."""
        seen: dict[str, None] = {}
        for start, end in self.highlights:
            seen.setdefault(self.text[start:end], None)
        return list(seen)


@dataclass(frozen=True, slots=True)
class PassageSpan:
    """A passage cut from a text: ``text == source[start:end]`` (offsets are characters)."""

    position: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class LibrarySource:
    """A source of the evidence library: one URL or file, with every archived version."""

    id: int
    location: str
    kind: str  # html | pdf | text | markdown | csv
    title: str | None
    publisher: str | None = None
    published: str | None = None  # as precise as known: YYYY, YYYY-MM or YYYY-MM-DD
    url: str | None = None
    language: str | None = None
    withdrawn: bool = False
    version_count: int = 0
    passage_count: int = 0
    current_version_id: int | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SourceVersion:
    """One archived copy of a source: the bytes as retrieved, their SHA-256, when."""

    id: int  # the archived document's id: /archive/{id}/ shows it
    source_id: int
    version: int
    content_hash: str
    retrieved_at: datetime | None
    content_type: str | None
    size: int
    passage_count: int = 0


@dataclass(frozen=True, slots=True)
class LibraryPassage:
    """A stored passage of one source version, with its offsets in the version's text."""

    id: int
    source_id: int
    version_id: int
    position: int
    start: int
    end: int
    text: str
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One answer of the research desk for a claim: a passage, where it comes from, how
    well it matched (``hit``) and the stance model's reading (an aid, never a verdict)."""

    passage: LibraryPassage
    source: LibrarySource
    hit: PassageHit
    verdict: Verdict
    stance_model: str = ""

    @property
    def source_url(self) -> str:
        return self.source.url or self.source.location


@dataclass(frozen=True, slots=True)
class SourceDetail:
    """A source with its versions (newest first) and the passages of the current one."""

    source: LibrarySource
    versions: list[SourceVersion] = field(default_factory=list)
    passages: list[LibraryPassage] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AddResult:
    """What adding a source did: a new source, a new version of a known one, or nothing
    (the same bytes again)."""

    source: LibrarySource
    version_id: int
    outcome: str  # added | new_version | unchanged
    passages: int

    @property
    def summary(self) -> str:
        what = {
            "added": "added",
            "new_version": "new version of",
            "unchanged": "unchanged:",
        }[self.outcome]
        title = self.source.title or self.source.location
        return f"{what} source {self.source.id} ({title}): {self.passages} passages"
