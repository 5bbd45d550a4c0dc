"""Research: archiving cited pages, and finding evidence passages for a claim.

**Archiving.** A citation must still resolve when the source page changes or disappears, so
citing a URL fetches it (through ``factdesk.net``, the one HTTP client), keeps the raw bytes
and the extracted main text in ``evidence_documents`` with a SHA-256 content hash and the
fetch time, and checks that the quoted words are really on the page.

**Retrieval.** :func:`research` finds the passages of the evidence library
(:mod:`factdesk.services.library`) that bear on a claim: the passage index
(:mod:`factdesk.search.passages`: BM25 + dense, fused) lives beside the database under
``DATA_DIR/research/`` and is kept in step with it incrementally (:func:`sync_index`: the
passages of each non-withdrawn source's current version, added or removed by id, never
rebuilt); passage vectors are cached by text, so a rebuild re-encodes nothing. Each passage
found gets the stance model's reading (:func:`factdesk.verify.stance.load_stance_model`):
an aid to the person checking, never a verdict.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import unicodedata
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from factdesk.errors import AddressRefused, InputError
from factdesk.search.passages import PassageIndex
from factdesk.services.match import embedder_for
from factdesk.settings import Settings
from factdesk.store.files import folder_lock
from factdesk.store.models import EvidenceDocument, LibrarySource, Passage
from factdesk.types import (
    ArchivedPage,
    Evidence,
    LibraryPassage,
    PassageHit,
    PassageText,
    Verdict,
)
from factdesk.types import (
    LibrarySource as SourceRecord,
)
from factdesk.verify.stance import HeadStance, StanceModel, load_stance_model

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u00a0": " "})


def check_url(url: str, *, allow_private: bool = True) -> str:
    """The URL, trimmed, when it can be fetched at all; InputError naming ``url`` otherwise.
    With ``allow_private`` off, a private or reserved address literal (or ``localhost``) is
    refused here, before anything is stored; ``factdesk.net`` refuses the rest at fetch."""
    url = url.strip()
    if not re.match(r"^https?://[^\s/]+", url) or len(url) > 2000:
        raise InputError(
            "a cited source needs an http(s) URL of at most 2000 characters", where="url"
        )
    if not allow_private:
        from factdesk.net import check_public_url

        try:
            check_public_url(url)
        except AddressRefused as exc:
            raise InputError(exc.message, where="url") from None
    return url


def fetch_page(settings: Settings, url: str) -> ArchivedPage:
    """Fetch ``url`` now and extract its text; FetchError when the source gives nothing."""
    from factdesk.net import Fetcher

    url = check_url(url)
    with Fetcher(settings) as fetcher:
        fetched = fetcher.fetch(url)
    body: bytes = fetched.body
    content_type: str | None = fetched.content_type
    text, title = extract_text(body, fetched.url, content_type)
    return ArchivedPage(
        url=url,
        final_url=fetched.url,
        body=body,
        content_type=content_type,
        text=text,
        title=title,
        content_hash=hashlib.sha256(body).hexdigest(),
        fetched_at=datetime.now(UTC),
    )


def extract_text(body: bytes, url: str, content_type: str | None) -> tuple[str, str | None]:
    """The main text and title of a fetched document; plain text passes through, other
    binary types (PDF, images) are archived as bytes with no text."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind.startswith("text/plain"):
        return body.decode("utf-8", "replace"), None
    if kind and "html" not in kind and "xml" not in kind:
        return "", None
    from factdesk.ingest.pages import parse_page

    try:
        page: Any = parse_page(body, url=url, content_type=content_type)
    except InputError:  # not a page we can read: the bytes are still archived
        return "", None
    if page.item is None:
        return "", page.meta.get("title")
    return page.item.text, page.item.title


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    return _SPACE.sub(" ", text).strip().casefold()


def quote_in(text: str, quote: str) -> bool:
    """Whether ``quote`` appears in ``text``, ignoring case, spacing and curly quotes."""
    needle = _fold(quote)
    return bool(needle) and needle in _fold(text)


def store_document(session: Session, page: ArchivedPage, publisher: str | None) -> int:
    """The id of the archived copy of ``page``: an identical earlier copy is reused, a
    changed page gets a new row (the old copy stays for the citations that point to it)."""
    existing = session.scalar(
        select(EvidenceDocument.id).where(
            EvidenceDocument.url == page.url, EvidenceDocument.content_hash == page.content_hash
        )
    )
    if existing is not None:
        return existing
    document = EvidenceDocument(
        url=page.url,
        title=page.title,
        publisher=publisher,
        fetched_at=page.fetched_at,
        content_hash=page.content_hash,
        text=page.text,
        raw=page.body,
        raw_type=page.content_type,
    )
    session.add(document)
    session.flush()
    return document.id


# --- the passage index -------------------------------------------------------------------

Progress = Callable[[int, int], None]
#: Passages read from the database and indexed per step (bounded memory, visible progress).
BATCH = 256
FORMAT = 1


def _quiet(done: int, total: int) -> None:
    return None


@dataclass(slots=True)
class IndexState:
    """The loaded index, the on-disk generation it matches and the database fingerprint it
    was brought in step with."""

    index: PassageIndex
    generation: str = ""
    fingerprint: list[Any] | None = None


@dataclass(frozen=True, slots=True)
class SyncReport:
    added: int = 0
    removed: int = 0
    total: int = 0
    rebuilt: bool = False

    @property
    def summary(self) -> str:
        how = "rebuilt" if self.rebuilt else "updated"
        return f"passage index {how}: +{self.added} -{self.removed}, {self.total} passages"


def index_dir(settings: Settings) -> Path:
    return settings.data_dir / "research"


def _new_index(settings: Settings) -> PassageIndex:

    languages = tuple(settings.languages)
    return PassageIndex(embedder_for(settings), detect_language=lambda t: _detect(t, languages))


def _detect(text: str, languages: tuple[str, ...]) -> str | None:
    from factdesk.text.langid import detect_language

    return detect_language(text, languages)


def _load(settings: Settings) -> IndexState | None:
    folder = index_dir(settings)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        with np.load(folder / "passages.npz", allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, KeyError):
        return None
    fresh = _new_index(settings)
    if manifest.get("format") != FORMAT or manifest.get("model") != fresh.model_id:
        return None
    try:
        index = PassageIndex.from_arrays(
            arrays, fresh.embedder, detect_language=fresh.detect_language
        )
    except (ValueError, KeyError):
        return None
    return IndexState(index, str(manifest.get("generation", "")), manifest.get("fingerprint"))


def _save(settings: Settings, state: IndexState) -> None:
    """Write the arrays, then the manifest (atomically, by rename): a reader sees the old
    index or the new one, never half of each."""
    folder = index_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"passages.{os.getpid()}.tmp.npz"
    np.savez(tmp, **state.index.to_arrays())  # type: ignore[arg-type]
    os.replace(tmp, folder / "passages.npz")
    state.generation = f"{datetime.now(UTC).isoformat()}#{os.getpid()}"
    manifest = {
        "format": FORMAT,
        "model": state.index.model_id,
        "tokenizer": state.index.tokenizer_name,
        "generation": state.generation,
        "passages": len(state.index),
        "fingerprint": state.fingerprint,
    }
    tmp_manifest = folder / f"manifest.{os.getpid()}.tmp"
    tmp_manifest.write_text(json.dumps(manifest), encoding="utf-8")
    os.replace(tmp_manifest, folder / "manifest.json")


def _generation(settings: Settings) -> str | None:
    try:
        data = json.loads((index_dir(settings) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return str(data.get("generation", ""))


def _locked(settings: Settings) -> AbstractContextManager[None]:
    return folder_lock(index_dir(settings))


_cache: dict[Path, IndexState] = {}
_cache_lock = threading.Lock()


def fingerprint(session: Session) -> list[Any]:
    """A cheap summary of the library that changes whenever the indexed set may: passages
    are only ever added (a new version), and any change of a source (a new current version,
    withdraw, restore) moves its ``updated_at``. Two aggregates instead of the id set."""
    passages = session.execute(select(func.count(Passage.id), func.max(Passage.id))).one()
    sources = session.execute(
        select(
            func.count(LibrarySource.id),
            func.max(LibrarySource.updated_at),
            func.sum(case((LibrarySource.withdrawn.is_(True), 1), else_=0)),
        )
    ).one()
    changed = sources[1].isoformat() if sources[1] is not None else None
    return [int(passages[0]), passages[1], int(sources[0]), changed, int(sources[2] or 0)]


def wanted_passages(session: Session) -> set[int]:
    """Ids of the passages the index should hold: those of each live source's current
    version."""
    return set(
        session.scalars(
            select(Passage.id)
            .join(LibrarySource, LibrarySource.current_version_id == Passage.document_id)
            .where(LibrarySource.withdrawn.is_(False))
        )
    )


def sync_index(
    settings: Settings, session: Session, *, rebuild: bool = False, progress: Progress = _quiet
) -> tuple[PassageIndex, SyncReport]:
    """The passage index, brought in step with the database: passages of new versions are
    appended, those of replaced versions and withdrawn sources removed (no rebuild unless
    ``rebuild`` or the saved index was built with another model or tokeniser)."""
    key = index_dir(settings).resolve()
    seen = fingerprint(session)
    with _cache_lock:
        state = None if rebuild else _cache.get(key)
        if state is not None and state.fingerprint == seen:
            if state.generation == _generation(settings):  # nothing moved anywhere
                return state.index, SyncReport(total=len(state.index))
    with _cache_lock, _locked(settings):
        state = None if rebuild else _cache.get(key)
        if state is not None and state.generation != _generation(settings):
            state = None  # another process saved a newer index
        if state is None and not rebuild:
            state = _load(settings)
        rebuilt = state is None
        if state is None:
            state = IndexState(_new_index(settings))
        if not rebuilt and state.fingerprint == seen:
            _cache[key] = state
            return state.index, SyncReport(total=len(state.index))
        wanted = wanted_passages(session)
        have = {int(k) for k in state.index.slot_of}
        gone = have - wanted
        new = sorted(wanted - have)
        state.index.remove([str(i) for i in gone])
        for start in range(0, len(new), BATCH):
            rows = session.execute(
                select(Passage.id, Passage.text, Passage.language)
                .where(Passage.id.in_(new[start : start + BATCH]))
                .order_by(Passage.id)
            ).all()
            state.index.add([PassageText(str(i), text, lang) for i, text, lang in rows])
            progress(min(start + BATCH, len(new)), len(new))
        if gone or new or rebuilt or state.fingerprint != seen:
            state.index.optimize()
            state.fingerprint = seen
            _save(settings, state)
        _cache[key] = state
        report = SyncReport(len(new), len(gone), len(state.index), rebuilt)
        return state.index, report


# --- research ------------------------------------------------------------------------------

_stance_lock = threading.Lock()
_stance: list[StanceModel] = []


def stance_model() -> StanceModel:
    """The stance model, loaded once per process (or the fallback that claims nothing)."""
    with _stance_lock:
        if not _stance:
            _stance.append(load_stance_model())
        return _stance[0]


def research(
    settings: Settings,
    session: Session,
    claim_text: str,
    *,
    k: int = 8,
    language: str | None = None,
    stance: StanceModel | None = None,
) -> list[Evidence]:
    """The library passages that bear on ``claim_text``, best first, each with its source,
    matched words and the stance model's reading (an aid to a person, never a verdict)."""
    claim_text = " ".join(claim_text.split())
    if not claim_text:
        raise InputError("give the claim to research", where="claim")
    if len(claim_text) > 2000:
        raise InputError("a claim of at most 2000 characters", where="claim")
    if not 1 <= k <= 50:
        raise InputError("k must be between 1 and 50", where="k")
    index, _ = sync_index(settings, session)
    query_vector = index.query_vector(claim_text)
    hits = index.search(claim_text, k, language=language, query_vector=query_vector)
    if not hits:
        return []
    ids = [int(h.key) for h in hits]
    rows = {
        p.id: (p, d, src)
        for p, d, src in session.execute(
            select(Passage, EvidenceDocument, LibrarySource)
            .join(EvidenceDocument, EvidenceDocument.id == Passage.document_id)
            .join(LibrarySource, LibrarySource.id == EvidenceDocument.library_source_id)
            .where(Passage.id.in_(ids))
        )
    }
    found = [(h, rows[int(h.key)]) for h in hits if int(h.key) in rows]
    model = stance or stance_model()
    verdicts = judge(model, index, claim_text, query_vector, [h for h, _ in found])
    return [
        Evidence(as_passage(p, src.id), as_source(src), h, v, model.name)
        for (h, (p, _d, src)), v in zip(found, verdicts, strict=True)
    ]


def judge(
    model: StanceModel,
    index: PassageIndex,
    claim_text: str,
    query_vector: npt.NDArray[np.float32] | None,
    hits: list[PassageHit],
) -> list[Verdict]:
    """The stance of each hit. When the model reads the same embeddings as the index, the
    claim's vector from the search and the passages' stored vectors are handed over, so
    nothing is encoded twice (encoding is most of a stance call's time)."""
    pairs = [(claim_text, h.text) for h in hits]
    if (
        isinstance(model, HeadStance)
        and query_vector is not None
        and model.embedder.model_id == index.model_id
    ):
        passages = index.vectors_of([h.key for h in hits])
        if passages is not None:
            claims = np.repeat(query_vector[None, :].astype(np.float32), len(pairs), axis=0)
            return model.predict_vectors(pairs, claims, passages)
    return model.predict(pairs)


def as_passage(row: Passage, source_id: int) -> LibraryPassage:
    return LibraryPassage(
        id=row.id,
        source_id=source_id,
        version_id=row.document_id,
        position=row.position,
        start=row.start or 0,
        end=row.end if row.end is not None else len(row.text),
        text=row.text,
        language=row.language,
    )


def as_source(row: LibrarySource, versions: int = 0, passages: int = 0) -> SourceRecord:
    return SourceRecord(
        id=row.id,
        location=row.location,
        kind=row.kind,
        title=row.title,
        publisher=row.publisher,
        published=row.published,
        url=row.url,
        language=row.language,
        withdrawn=row.withdrawn,
        version_count=versions,
        passage_count=passages,
        current_version_id=row.current_version_id,
        created_at=row.created_at,
    )
