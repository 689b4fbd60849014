"""``policymatch eval``: every ranking method side by side on a labelled set."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from policymatch.errors import InputError

DEFAULT_METHODS = "tfidf,bm25,dense,rrf,hybrid,full"


def register(app: typer.Typer) -> None:
    """Add the ``eval`` command to ``app``."""
    app.command("eval")(eval_command)


def eval_command(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for metrics.json, runs/*.trec, report.html.")
    ],
    policies: Annotated[
        Path | None, typer.Option("--policies", help="Policies JSONL (id, title, text, ...).")
    ] = None,
    enterprises: Annotated[
        Path | None, typer.Option("--enterprises", help="Enterprise profiles, JSONL or CSV.")
    ] = None,
    qrels: Annotated[
        Path | None, typer.Option("--qrels", help="TREC qrels: enterprise_id 0 policy_id grade.")
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option("--dataset", help="A built-in labelled set: items, dev or dev_items."),
    ] = None,
    methods: Annotated[str, typer.Option("--methods", help="Comma-separated methods.")] = (
        DEFAULT_METHODS
    ),
    ignore_validity: Annotated[
        bool, typer.Option("--ignore-validity", help="Treat every policy as in force.")
    ] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD) that counts as today.")
    ] = None,
    split: Annotated[str, typer.Option("--split", help="tune, report or all enterprises.")] = "all",
    split_file: Annotated[
        Path | None,
        typer.Option(
            "--split-file",
            help="enterprise_id tune|report lines (default: split.tsv beside the qrels).",
        ),
    ] = None,
    k: Annotated[int, typer.Option("--k", min=50, help="Records ranked per enterprise.")] = 100,
) -> None:
    """Evaluate tfidf, bm25, dense, rrf, hybrid and the full system on graded labels."""
    console = Console()
    try:
        outcome = _run(
            out=out,
            policies=policies,
            enterprises=enterprises,
            qrels=qrels,
            dataset=dataset,
            methods=methods,
            ignore_validity=ignore_validity,
            as_of=as_of,
            split=split,
            split_file=split_file,
            k=k,
            console=console,
        )
    except InputError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    _print_tables(console, outcome)
    console.print(f"wrote {out / 'metrics.json'}, {out / 'runs'}/, {out / 'report.html'}")


def _run(
    *,
    out,
    policies,
    enterprises,
    qrels,
    dataset,
    methods,
    ignore_validity,
    as_of,
    split,
    split_file,
    k,
    console,
):
    from policymatch.evaluation.datasets import resolve_dataset
    from policymatch.evaluation.runner import evaluate_dataset
    from policymatch.settings import get_settings

    if ignore_validity and as_of:
        raise InputError("give --ignore-validity or --as-of, not both", field="as_of")
    as_of_date = _parse_date(as_of) if as_of else None
    chosen = [m.strip() for m in methods.split(",") if m.strip()]
    data = resolve_dataset(dataset, policies, enterprises, qrels, split_file)
    data = data.select_split(split)
    if data.ignore_validity_by_default and not ignore_validity and as_of_date is None:
        # The dev labels judge content, not whether a policy is still in force.
        console.print(
            "[dim]labels of this set ignore validity: running with --ignore-validity[/dim]"
        )
        ignore_validity = True

    with Progress(
        TextColumn("{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return evaluate_dataset(
            data,
            out,
            methods=chosen,
            as_of=as_of_date,
            ignore_validity=ignore_validity,
            k=k,
            settings=get_settings(),
            progress=progress,
        )


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"--as-of must be YYYY-MM-DD, got {text!r}", field="as_of") from exc


def _print_tables(console: Console, outcome) -> None:
    from policymatch.evaluation.metrics import MATCH_METRICS, PUSH_METRICS

    meta = outcome.metrics["_meta"]
    p_values = meta.get("significance", {})
    for title, metrics, values, p_key in (
        (
            f"match · {meta.get('dataset')} · {meta['queries_judged']} enterprises",
            MATCH_METRICS,
            outcome.metrics,
            "match",
        ),
        (
            f"push · {meta['push_queries_judged']} policies",
            PUSH_METRICS,
            outcome.metrics["push"],
            "push",
        ),
    ):
        table = Table(title=title, title_justify="left")
        table.add_column("method")
        for metric in metrics:
            table.add_column(metric, justify="right", no_wrap=True, min_width=len(metric))
        for method in outcome.methods:
            cells = []
            for metric in metrics:
                p = p_values.get(p_key, {}).get(method, {}).get(metric)
                mark = "*" if p is not None and p < 0.05 else ""
                cells.append(f"{values[method][metric]:.4f}{mark}")
            table.add_row(method, *cells)
        console.print(table)
    console.print("* p < 0.05 against bm25 (paired t-test); grade >= 1 counts as relevant.")
