"""`factdesk match`, `factdesk index ...`, `factdesk eval retrieval|crosslingual`,
`factdesk train matcher`: thin shells over :mod:`factdesk.services.match` and :mod:`factdesk.eval`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from factdesk.cli.app import app, eval_app, open_store, train_app
from factdesk.cli.render import OutputFormat, console, err_console
from factdesk.types import Match

index_app = typer.Typer(help="The matching index kept beside the database.", no_args_is_help=True)
app.add_typer(index_app, name="index")

BAND_STYLE = {"auto": "green", "suggest": "yellow", "hidden": "dim"}


def _progress(stage: str, done: int, total: int) -> None:
    step = max(1, total // 10)
    if done == total or done % step == 0:
        err_console.print(f"[dim]{stage}: {done}/{total}[/dim]", highlight=False)


@app.command()
def match(
    text: str = typer.Argument(..., help="The claim or post to look up."),
    k: int = typer.Option(5, "-k", "--top", min=1, max=100, help="How many matches to show."),
    language: str | None = typer.Option(None, help="Language of TEXT (detected when omitted)."),
    all_bands: bool = typer.Option(False, "--all", help="Also show matches in the hidden band."),
    date: str | None = typer.Option(
        None, help="When TEXT was posted (YYYY-MM-DD): prefer fact-checks from around then."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """Find earlier fact-checks of TEXT: score, band, publisher, rating, URL and why."""
    from datetime import UTC, datetime

    from factdesk.services.match import match_text

    posted = None
    if date is not None:
        try:
            posted = datetime.fromisoformat(date).replace(tzinfo=UTC)
        except ValueError:
            raise typer.BadParameter("expected YYYY-MM-DD", param_hint="--date") from None
    settings, factory = open_store()
    with factory() as session:
        found = match_text(
            settings, session, text, k=k, language=language, date=posted, include_hidden=all_bands
        )
    rows = [match_row(m) for m in found]
    if fmt is OutputFormat.json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        console.print("No earlier fact-check found above the suggestion threshold.")
        return
    for n, row in enumerate(rows, start=1):
        style = BAND_STYLE[row["band"]]
        console.print(
            f"[bold]{n}.[/bold] [{style}]{row['band']}[/{style}] {row['score']:.2f}  "
            f"{row['claim_reviewed']}",
            highlight=False,
        )
        console.print(
            f"   {row['publisher'] or '?'} · {row['rating'] or 'no rating'} · "
            f"{row['url'] or 'no URL'}",
            highlight=False,
        )
        why = row["why"]
        parts = [f"{field}: {', '.join(words)}" for field, words in why["terms"].items()]
        if why["similarity"] is not None:
            parts.append(f"meaning similarity {why['similarity']:.2f}")
        if why["cross_lingual"]:
            parts.append(f"cross-lingual ({row['language']})")
        console.print(
            f"   [dim]why: {'; '.join(parts) or 'no shared words'}[/dim]", highlight=False
        )


def match_row(m: Match) -> dict[str, Any]:
    """A match as `factdesk match --format json` prints it (and the table reads it)."""
    fc = m.fact_check
    return {
        "fact_check_id": int(m.id) if m.id.isdigit() else m.id,
        "score": m.score,
        "band": m.band,
        "claim_reviewed": fc.claim_reviewed,
        "title": fc.title,
        "publisher": fc.publisher,
        "rating": fc.rating.label,
        "url": fc.url,
        "language": fc.language,
        "date_published": fc.date_published.isoformat() if fc.date_published else None,
        "why": m.why.as_dict() if m.why else None,
    }


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Build the matching index again from every published fact-check."""
    from factdesk.services.match import rebuild_index

    settings, factory = open_store()
    with factory() as session:
        report = rebuild_index(settings, session, progress=_progress)
    console.print(f"index rebuilt: {report.added} fact-checks")


@index_app.command("status")
def index_status(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """What the matching index holds, whether it is current, and the retrieval mode."""
    from factdesk.services.match import index_status as status

    settings, factory = open_store()
    with factory() as session:
        info = status(settings, session)
    if fmt is OutputFormat.json:
        print(json.dumps(info, ensure_ascii=False))
        return
    for key, value in info.items():
        console.print(f"{key}: {value}", highlight=False)


def _eval_embedder(lexical_only: bool):  # type: ignore[no-untyped-def]
    from factdesk.services.match import embedder_for
    from factdesk.settings import get_settings

    return None if lexical_only else embedder_for(get_settings())


@eval_app.command("retrieval")
def eval_retrieval(
    queries: Path = typer.Option(..., exists=True, dir_okay=False, help="Queries TSV (id, text)."),
    qrels: Path = typer.Option(..., exists=True, dir_okay=False, help="TREC qrels to score."),
    vclaims: Path = typer.Option(
        ..., exists=True, dir_okay=False, help="Zip of vclaim JSON files."
    ),
    run_out: Path | None = typer.Option(None, help="Write the ranking as a TREC run file."),
    depth: int = typer.Option(100, min=20, help="Results kept per query."),
    lexical_only: bool = typer.Option(False, help="Score the BM25-only path (no embeddings)."),
    dates: bool = typer.Option(True, help="Pass each tweet's date to the matcher."),
) -> None:
    """CheckThat! 2022 Task 2A: rank every vclaim for each qrels query; JSON figures last."""
    from factdesk.eval.checkthat import write_run
    from factdesk.eval.retrieval import evaluate_retrieval
    from factdesk.services.match import model_for
    from factdesk.settings import get_settings
    from factdesk.text.langid import identify_languages_batch

    settings = get_settings()
    result = evaluate_retrieval(
        queries,
        qrels,
        vclaims,
        embedder=_eval_embedder(lexical_only),
        model=model_for(settings),
        identify=identify_languages_batch,
        depth=depth,
        use_dates=dates,
        progress=_progress,
    )
    if run_out is not None:
        write_run(run_out, result.ranking, tag="factdesk")
    print(json.dumps(result.report))


@eval_app.command("crosslingual")
def eval_crosslingual(
    src: Path = typer.Option(..., exists=True, dir_okay=False, help="Source-language lines."),
    tgt: Path = typer.Option(..., exists=True, dir_okay=False, help="Line-aligned translations."),
    scoring: str = typer.Option("margin", help="cosine, csls or margin (headline figure)."),
    k: int = typer.Option(4, min=1, help="Neighbours for csls/margin."),
) -> None:
    """Line-aligned parallel files: P@1 both ways; JSON figures last."""
    from factdesk.errors import MissingExtra
    from factdesk.eval.parallel import evaluate_parallel, read_parallel
    from factdesk.search.crosslingual import SCORINGS

    if scoring not in SCORINGS:
        raise typer.BadParameter(f"expected one of {', '.join(SCORINGS)}", param_hint="--scoring")
    embedder = _eval_embedder(False)
    if embedder is None:
        raise MissingExtra("embed", "cross-lingual evaluation")
    source, target = read_parallel(src, tgt)
    report = evaluate_parallel(source, target, embedder, scoring=scoring, k=k)
    print(json.dumps(report))


@eval_app.command("multilingual")
def eval_multilingual(
    data: Path = typer.Option(
        ..., exists=True, file_okay=False, help="The shared data folder (../shared/data)."
    ),
    per_group: int = typer.Option(150, min=10, help="Queries per language group."),
    seed: int = typer.Option(0, help="Seed for drawing the pool and the pseudo-queries."),
    lexical_only: bool = typer.Option(False, help="BM25 only (no embeddings)."),
    offset_rules: str = typer.Option(
        "",
        help="Also score fused under these rules for shifting other languages' cosines, "
        "comma-separated (pairs, pairs-background, background, all, none).",
    ),
    shipped_only: bool = typer.Option(
        False, help="Only the shipped tokeniser and query encoding (quicker)."
    ),
    encodings: str = typer.Option(
        "",
        help="With --shipped-only: these query encodings too, comma-separated (windows, whole, windows16, passage, "
        "clean, first64, first128, clean-both, clean-long, capitals; the shipped one always comes "
        "first).",
    ),
    noisy: str = typer.Option(
        "off",
        help="Noisy long copies of the queries, dressed as real posts (groups <code>+noise): "
        "off, add (beside the clean ones) or only.",
    ),
    noisy_cross: bool = typer.Option(
        False,
        help="With --noisy: noisy long copies of the cross-lingual queries too "
        "(groups <src>><tgt>+noise).",
    ),
    noisy_image: bool = typer.Option(
        False,
        help="With --noisy: also copies whose claim is the text of the post's image, in "
        "capitals and short lines, as OCR reads it (groups <code>+ocr).",
    ),
    clean_pool: bool = typer.Option(
        False,
        help="Drop links, @handles and embed tails from the ar/es/nl tweets that stand in "
        "for fact-checks (real fact-checks carry no t.co links).",
    ),
    without_pool: str = typer.Option(
        "",
        help="Drop the pool's fact-checks in this language and the queries they answered "
        "(vi: the vi>en posts then have no fact-check of their own language).",
    ),
    long_fusions: str = typer.Option(
        "",
        help="Also score fused under these ways of scoring a long post's candidates "
        "(segments.is_long), comma-separated (hybrid, mean, lean, lexical; <fusion>@written: "
        "length judged as written, <fusion>@raw: BM25 reads the long post as written too).",
    ),
) -> None:
    """Multilingual sanity check of matching (proxy data, not a benchmark); JSON last."""
    from factdesk.errors import InputError
    from factdesk.eval.multilingual import (
        ENCODINGS,
        build_sanity_set,
        long_fusion_setting,
        run_sanity,
    )
    from factdesk.search.features import OFFSET_RULES
    from factdesk.search.tokens import default_tokenizer
    from factdesk.services.match import model_for
    from factdesk.settings import get_settings
    from factdesk.text.tokenize import TOKENIZER_VERSION, tokenize

    rules = [r.strip() for r in offset_rules.split(",") if r.strip()]
    unknown = [r for r in rules if r not in OFFSET_RULES]
    if unknown:
        raise typer.BadParameter(
            f"unknown rule(s) {', '.join(unknown)}; expected {', '.join(OFFSET_RULES)}",
            param_hint="--offset-rules",
        )
    if noisy not in ("off", "add", "only"):
        raise typer.BadParameter("expected off, add or only", param_hint="--noisy")
    fusions = [f.strip() for f in long_fusions.split(",") if f.strip()]
    for name in fusions:
        try:
            long_fusion_setting(name)
        except InputError as exc:
            raise typer.BadParameter(str(exc), param_hint="--long-fusions") from None
    keys = {k.strip() for k in encodings.split(",") if k.strip()}
    if keys - {e.key for e in ENCODINGS}:
        raise typer.BadParameter(
            f"unknown encoding(s) {', '.join(sorted(keys))}", param_hint="--encodings"
        )
    chosen = [e for i, e in enumerate(ENCODINGS) if i == 0 or e.key in keys or not shipped_only]
    sanity = build_sanity_set(data, per_group=per_group, seed=seed, clean_pool=clean_pool)
    if noisy != "off":
        from factdesk.eval.noisy import with_noisy

        sanity = with_noisy(
            sanity,
            seed,
            only=noisy == "only",
            cross_lingual=noisy_cross,
            in_image=noisy_image,
        )
    if without_pool:
        from factdesk.eval.multilingual import without_language

        sanity = without_language(sanity, without_pool.strip())
    tokenizers = {"after": default_tokenizer()}
    if not shipped_only:
        tokenizers = {
            "before": (f"factdesk.text.tokenize-{TOKENIZER_VERSION}", tokenize),
            **tokenizers,
        }
    report = run_sanity(
        sanity,
        embedder=_eval_embedder(lexical_only),
        model=model_for(get_settings()),
        tokenizers=tokenizers,
        encodings=chosen,
        offset_rules=rules,  # type: ignore[arg-type]  # checked against OFFSET_RULES above
        long_fusions=fusions,
        progress=_progress,
    )
    print(json.dumps(report))


@train_app.command("matcher")
def train_matcher(
    data: Path = typer.Option(
        ..., exists=True, file_okay=False, help="CheckThat! 2022 2A English folder."
    ),
    out: Path | None = typer.Option(None, help="Model file to write (default: the shipped one)."),
    seed: int = typer.Option(0, help="Seed for the cross-validation folds."),
    folds: int = typer.Option(5, min=2, help="Cross-validation folds over the train split."),
    dev: bool = typer.Option(True, help="Score the dev split once at the end (never to choose)."),
    noisy_train: bool = typer.Option(
        False,
        help="Hybrid and lexical heads also train on a long noisy post made of each train "
        "tweet, seeded by --seed (docs/matching.md, 'Training the ranker'; not shipped).",
    ),
) -> None:
    """Train the matcher's ranker and calibrator on the train split; JSON report last."""
    from factdesk.eval.retrieval import train_matcher as train
    from factdesk.search.model import shipped_model_path
    from factdesk.search.ranker import save_model
    from factdesk.settings import get_settings
    from factdesk.text.langid import detect_language, identify_languages_batch

    languages = list(get_settings().languages)
    model, report = train(
        data,
        embedder=_eval_embedder(False),
        folds=folds,
        seed=seed,
        score_dev=dev,
        noisy_train=noisy_train,
        detect_language=lambda t: detect_language(t, languages),
        identify=identify_languages_batch,
        progress=_progress,
    )
    target = out or shipped_model_path()
    save_model(target, model.heads, model.meta)
    err_console.print(f"model written to {target}")
    print(json.dumps(report))
