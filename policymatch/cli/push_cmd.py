"""``policymatch push``: batch push campaigns (送策入企), per policy the enterprises to contact."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from policymatch.errors import IndexMismatchError, InputError
from policymatch.push.models import CampaignOptions

logger = logging.getLogger(__name__)
console = Console()
err_console = Console(stderr=True)

VERDICT_WORDS = ("推荐", "可能符合", "不符合")


def register(app: typer.Typer) -> None:
    """Add the ``push`` command to ``app``."""
    app.command("push")(push_command)


def push_command(
    policy_ids: Annotated[
        list[str] | None,
        typer.Argument(help="Item ids (doc#seq) or document ids (-> their valid items)."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="lists.xlsx (one sheet per policy) or a folder (CSVs).")
    ] = Path("push"),
    enterprises: Annotated[
        Path | None,
        typer.Option(
            "--enterprises", help="CSV, XLSX, JSONL or Parquet; default the stored enterprises."
        ),
    ] = None,
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="A document id (repeatable).")
    ] = None,
    issued_since: Annotated[
        str | None, typer.Option("--issued-since", help="Documents published on/after YYYY-MM-DD.")
    ] = None,
    all_valid: Annotated[
        bool, typer.Option("--all-valid", help="Every document with a valid support item.")
    ] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Enterprises per policy.")] = 100,
    min_score: Annotated[
        float | None, typer.Option("--min-score", help="List only scores at or above this.")
    ] = None,
    verdicts: Annotated[
        str, typer.Option("--verdicts", help="Verdicts to list, comma-separated.")
    ] = "推荐,可能符合",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Judge validity on YYYY-MM-DD (default today).")
    ] = None,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", min=1, help="Enterprises per chunk (and checkpoint).")
    ] = 10_000,
    engine: Annotated[str, typer.Option("--engine", help="local or ray.")] = "local",
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster (auto, ray://head:10001).")
    ] = None,
    ray_actors: Annotated[
        int | None, typer.Option("--ray-actors", min=1, help="Scoring actors (default: CPUs).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume/--fresh", help="Go on from a matching checkpoint.")
    ] = True,
    index_dir: Annotated[
        Path | None, typer.Option("--index-dir", help="Index folder (default from settings).")
    ] = None,
) -> None:
    """Rank enterprises for each policy, with reasons a caller can read out."""
    from policymatch.push.campaign import run_campaign
    from policymatch.push.scoring import IndexScorerFactory
    from policymatch.push.sources import open_source
    from policymatch.push.targets import resolve_targets
    from policymatch.settings import get_settings

    settings = get_settings()
    try:
        wanted = _verdicts(verdicts)
        as_of_date = _date(as_of, "--as-of") or dt.date.today()
        options = CampaignOptions(
            top=top, min_score=min_score, verdicts=wanted, as_of=as_of_date, chunk_size=chunk_size
        )
        if engine not in ("local", "ray"):
            raise InputError(f"unknown engine {engine!r}; use local or ray", field="--engine")
        if engine == "ray":
            from policymatch.push.ray_engine import import_ray

            import_ray()
            if logging.getLogger().getEffectiveLevel() > logging.INFO:
                # Ray Data logs every dataset's start and end at INFO; keep the bar readable
                logging.getLogger("ray.data").setLevel(logging.WARNING)
                logging.getLogger("ray").setLevel(logging.WARNING)
        factory = IndexScorerFactory(
            index_dir=Path(index_dir or settings.resolved_index_dir).resolve(),
            settings=settings,
            as_of=as_of_date,
            use_prefilter="不符合" not in wanted,
        )
        scorer = factory()
        targets = resolve_targets(
            scorer.index,
            policy_ids or [],
            doc_ids=doc or [],
            issued_since=_date(issued_since, "--issued-since"),
            all_valid=all_valid,
            as_of=as_of_date,
        )
        source = open_source(enterprises, store=None if enterprises else _open_store(settings))
    except (InputError, IndexMismatchError, ImportError) as exc:
        err_console.print(f"[red]error[/red] {exc}")
        raise typer.Exit(2) from exc

    with Progress(
        TextColumn("[bold]push[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    ) as bar:
        task = bar.add_task(f"{len(targets)} policies", total=None, rate="")

        def on_progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)
            speed = bar.tasks[task].speed
            bar.update(task, rate=f"{speed:,.0f} 企业/s" if speed else "")

        try:
            result = run_campaign(
                source,
                factory,
                targets,
                options,
                out,
                resume=resume,
                engine=engine,  # type: ignore[arg-type]
                ray_address=ray_address,
                ray_actors=ray_actors,
                progress=on_progress,
                scorer=scorer,
                profile_cache_dir=settings.cache_dir,
            )
        except InputError as exc:
            bar.stop()
            err_console.print(f"[red]error[/red] {exc}")
            raise typer.Exit(2) from exc
    _report(result)


def _report(result) -> None:  # noqa: ANN001 - CampaignResult, imported lazily
    table = Table(title="push", show_header=True)
    for column in ("policy", "reach", "listed", "推荐", "可能符合", "不符合"):
        table.add_column(column, justify="right" if column != "policy" else "left")
    for target in result.targets:
        entries = result.lists.get(target.policy_id, [])
        by = {v: sum(e.verdict == v for e in entries) for v in VERDICT_WORDS}
        table.add_row(
            target.policy_id,
            str(result.counters.prefilter_passed.get(target.policy_id, 0)),
            str(len(entries)),
            *(str(by[v]) for v in VERDICT_WORDS),
        )
    console.print(table)
    counters = result.counters
    done_now = counters.read - result.resumed_from
    rate = done_now / result.seconds if result.seconds else 0.0
    console.print(
        f"{counters.read} enterprises read, {counters.skipped} skipped"
        f"{f', resumed at {result.resumed_from}' if result.resumed_from else ''};"
        f" {rate:,.0f}/s this run"
    )
    console.print(f"lists: {result.output.lists}")
    console.print(f"summary: {result.output.summary}")
    console.print(f"errors: {result.output.errors}")


def _verdicts(text: str) -> tuple[str, ...]:
    words = tuple(w.strip() for w in text.replace("，", ",").split(",") if w.strip())
    unknown = [w for w in words if w not in VERDICT_WORDS]
    if unknown or not words:
        raise InputError(
            f"unknown verdict(s) {', '.join(unknown) or '(none)'}; use {','.join(VERDICT_WORDS)}",
            field="--verdicts",
        )
    return words


def _date(text: str | None, option: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{text!r} is not a YYYY-MM-DD date", field=option) from exc


def _open_store(settings):  # noqa: ANN001, ANN202 - Settings; PolicyStore imported lazily
    from policymatch.store import PolicyStore

    return PolicyStore(settings.resolved_database_url)
