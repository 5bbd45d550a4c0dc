"""``factdesk eval checkworthiness | sample-detection | paraphrase``: how well the detection
stage scores, on labelled files and on the bundled sample; kept apart from ``cli/detect.py``
(the stage's own commands) to keep both small."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from factdesk.cli.app import eval_app
from factdesk.cli.render import OutputFormat, render_rows
from factdesk.services import detect


@eval_app.command("checkworthiness")
def eval_checkworthiness(
    data: Path = typer.Option(
        None,
        "--data",
        exists=True,
        dir_okay=False,
        help="CheckThat! 2024 Task 1 or 2022 Task 1A TSV, as published.",
    ),
    threshold: float = typer.Option(None, "--threshold", help="Override the trained threshold."),
    fallback: bool = typer.Option(False, "--fallback", help="Score with the signals-only model."),
    loso: bool = typer.Option(
        False, "--loso", help="Leave-one-source-out comparison of candidate models instead."
    ),
    data_dir: Path = typer.Option(
        Path("../shared/data"),
        "--data-dir",
        file_okay=False,
        help="Folder of all sources (--loso).",
    ),
    max_rows: int = typer.Option(1000, "--max-rows", min=100, help="Rows per large source."),
    debate_rows: int = typer.Option(2100, "--debate-rows", min=100, help="Debate sentences."),
    passage: bool = typer.Option(False, "--passage", help="Also the e5 passage: vectors."),
    report: Path = typer.Option(None, "--report", help="Write the full LOSO report (JSON)."),
    depths: str = typer.Option(
        None,
        "--depths",
        help="With --loso: only the e5+signals head, e5 cut after each of these layers (2,4,12).",
    ),
    cap_all: bool = typer.Option(
        False, "--cap-all", help="With --loso: --max-rows caps the tweet sources too."
    ),
    reliability_svg: Path = typer.Option(
        None, "--reliability-svg", dir_okay=False, help="Write the reliability diagram (SVG)."
    ),
) -> None:
    """F1/precision/recall of the Yes class, accuracy, speed, Brier score and reliability
    bins of the scores; last line is JSON.

    With --loso: every candidate scored per held-out source (see docs/detection.md)."""
    from factdesk.cli.detect_loso import depth_list, eval_depths, eval_loso
    from factdesk.eval.checkworthiness import (
        calibration,
        evaluate_checkworthiness,
        read_checkworthiness_tsv,
    )
    from factdesk.eval.reliability import reliability_chart
    from factdesk.settings import get_settings

    if loso and depths:
        eval_depths(data_dir, max_rows, debate_rows, depth_list(depths), report, cap_all)
        return
    if loso:
        eval_loso(data_dir, max_rows, debate_rows, passage, report)
        return
    if data is None:
        raise typer.BadParameter("--data is required (or --loso)", param_hint="--data")
    rows = read_checkworthiness_tsv(data)
    model = detect.load_model(get_settings(), threshold=threshold, fallback=fallback)
    model.threshold  # noqa: B018 - load before timing, as a running desk would have it loaded
    scores: list[float] = []

    def predict(texts: list[str]) -> list[bool]:
        # The CheckThat! sets are English, as the training data are.
        batch = model.probabilities(texts, ["en"] * len(texts)).tolist()
        scores.extend(batch)
        return [p >= model.threshold for p in batch]

    figures = evaluate_checkworthiness(rows, predict)
    calibrated = calibration([r.label for r in rows], scores)
    if reliability_svg is not None:
        chart = reliability_chart(
            calibrated["reliability"],
            title=f"{model.kind} on {data.name}",
            subtitle=f"{len(rows):,} sentences, Brier score {calibrated['brier']:.3f}",
        )
        reliability_svg.write_text(chart, encoding="utf-8")
    print(
        json.dumps(
            {
                "data": data.name,
                "model": model.kind,
                "threshold": round(model.threshold, 4),
                **figures,
                **calibrated,
            }
        )
    )


@eval_app.command("sample-detection")
def eval_sample_detection() -> None:
    """Check-worthiness per language on the bundled sample posts; last line is JSON.

    The sample's answer key (scenarios.json) names the posts that repeat a fact-checked claim
    and those that state none. Every sample file is ingested into a throwaway SQLite desk;
    each post scores as its best sentence, against its language's mention threshold. The
    only Vietnamese check-worthiness measure there is - invented posts, so a sanity check,
    not a benchmark. FACTDESK_DETECT_MODEL_DIR picks the model to measure.
    """
    import tempfile

    from sqlalchemy import select

    from factdesk import demo
    from factdesk.detect.mentions import ItemText, candidate_sentences
    from factdesk.eval.checkworthiness import item_separation
    from factdesk.settings import get_settings
    from factdesk.store import models as m
    from factdesk.store.db import make_engine, session_factory, upgrade

    base = get_settings()
    model = detect.load_model(base)
    key = json.loads(demo.sample_path("scenarios.json").read_text(encoding="utf-8"))
    claim_posts = {ref["id"] for claim in key["claims"].values() for ref in claim["repeated_in"]}
    others = {ref["id"] for ref in key["not_claims"]}
    with tempfile.TemporaryDirectory() as root:
        settings = base.model_copy(
            update={"data_dir": Path(root), "database_url": f"sqlite:///{root}/sample.db"}
        )
        engine = make_engine(settings.effective_database_url)
        try:
            upgrade(engine)
            factory = session_factory(engine)
            demo.load_samples(settings, factory)
            with factory() as session:
                items = session.execute(
                    select(m.Item.external_id, m.Item.text, m.Item.language)
                ).all()
        finally:
            engine.dispose()
    scores: dict[str, tuple[list[float], list[float]]] = {}
    for external_id, text, language in items:
        if external_id not in claim_posts and external_id not in others:
            continue
        sentences = [s for s, _start, _end in candidate_sentences(ItemText(text, language))]
        if not sentences:
            continue
        best = float(model.probabilities(sentences, [language] * len(sentences)).max())
        positive, negative = scores.setdefault(language or "?", ([], []))
        (positive if external_id in claim_posts else negative).append(best)
    figures = {
        language: item_separation(positive, negative, model.mention_threshold_for(language))
        for language, (positive, negative) in sorted(scores.items())
    }
    render_rows(
        [{"language": k, **v} for k, v in figures.items()],
        OutputFormat.table,
        columns=(
            "language",
            "claim_items",
            "other_items",
            "auc",
            "threshold",
            "claim_items_flagged",
            "other_items_flagged",
        ),
        title="sample posts: claim posts vs others",
    )
    print(json.dumps({"model": model.kind, **figures}))


@eval_app.command("paraphrase")
def eval_paraphrase(
    directory: Path = typer.Option(
        ...,
        "--dir",
        exists=True,
        file_okay=False,
        help="A vnPara folder (Sentences1.txt, Sentences2.txt, Labels.txt).",
    ),
    folds: int = typer.Option(
        5, "--folds", min=2, help="Cross-validation folds for the threshold."
    ),
) -> None:
    """Accuracy/F1 of the claim-grouping similarity, threshold from other folds; last line JSON."""
    from factdesk.detect.vectors import MentionVectoriser
    from factdesk.eval.paraphrase import evaluate_paraphrase, read_vnpara
    from factdesk.settings import get_settings

    vectoriser = MentionVectoriser(detect.load_model(get_settings()).embedder)
    result = evaluate_paraphrase(
        read_vnpara(directory),
        vectoriser.encode,
        folds=folds,
        fixed_threshold=get_settings().cluster_threshold,
    )
    print(json.dumps({"model": vectoriser.kind, **result}))
