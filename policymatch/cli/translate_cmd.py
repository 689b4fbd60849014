"""``policymatch cards show ITEM_ID`` and ``policymatch eval-extraction``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from policymatch.cli.corpus_cmd import open_store
from policymatch.errors import InputError
from policymatch.evaluation.extraction import DEFAULT_LABELS, ExtractionReport, evaluate_extraction
from policymatch.translate import translate_item
from policymatch.translate.amounts import describe
from policymatch.translate.models import PolicyCard

console = Console()
err_console = Console(stderr=True)

cards = typer.Typer(
    help="Policy cards: a support item translated into who / what / when.", no_args_is_help=True
)


def _print_card(card: PolicyCard) -> None:
    console.rule(escape(f"{card.item_id}"))
    console.print(f"[bold]{escape(card.summary)}[/bold]")
    if not card.is_support_measure:
        console.print("[yellow]非申报类条款[/yellow]: 目标、任务或职责，没有可申报的内容")
    for line in card.lines:
        console.print(f"[bold cyan]{line.label}[/bold cyan]  {escape(line.text)}")
        if line.source:
            console.print(f"    [dim]原文: {escape(line.source)}[/dim]")
    fields = Table(show_header=False, box=None)
    fields.add_row("beneficiaries", escape("、".join(card.beneficiaries)))
    fields.add_row(
        "regions",
        escape(
            "、".join(
                f"{n} ({c})" for c, n in zip(card.region_codes, card.region_names, strict=False)
            )
            or "全国"
        ),
    )
    fields.add_row("industries", escape(" ".join(card.industries)))
    fields.add_row("support types", escape("、".join(card.support_types)))
    fields.add_row("amounts", escape("、".join(describe(a) for a in card.amounts)))
    fields.add_row(
        "max amount", "" if card.max_amount_wan is None else f"{card.max_amount_wan:g} 万元"
    )
    fields.add_row("apply", f"{card.apply_start or ''} – {card.apply_end or ''}")
    fields.add_row("valid", f"{card.valid_from or ''} – {card.valid_until or ''}")
    fields.add_row("department", escape(card.department or ""))
    console.print(fields)
    if card.conditions:
        table = Table(title="conditions", show_header=True)
        for column in ("kind", "condition", "hard", "role"):
            table.add_column(column)
        for condition in card.conditions:
            table.add_row(
                condition.kind,
                escape(condition.text),
                "yes" if condition.hard else "soft",
                condition.role or "",
            )
        console.print(table)


@cards.command("show")
def show_command(
    item_id: Annotated[str, typer.Argument(help="Item id (doc#seq).")],
    stored: Annotated[
        bool,
        typer.Option("--stored", help="Show the card saved at ingest instead of translating anew."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the card as JSON.")] = False,
) -> None:
    """Translate a stored item into its card and print it, each line with its source sentence."""
    store = open_store()
    item = store.get_item(item_id)
    doc = store.get_document(item.doc_id) if item else None
    if item is None or doc is None:
        err_console.print(
            f"[red]error[/red] no item {escape(repr(item_id))}; "
            "see `policymatch policies show DOC_ID` for item ids"
        )
        raise typer.Exit(1)
    card = store.get_card(item_id) if stored else translate_item(item, doc)
    if card is None:
        err_console.print(f"[red]error[/red] no stored card for {escape(item_id)}; drop --stored")
        raise typer.Exit(1)
    if as_json:
        console.print_json(card.model_dump_json())
    else:
        _print_card(card)


def _print_report(report: ExtractionReport, show_errors: bool) -> None:
    table = Table(title=f"extraction on {report.items} labelled items", show_header=True)
    for column in ("field", "precision", "recall", "tp", "fp", "fn"):
        table.add_column(column, justify="right" if column != "field" else "left")
    for score in report.scores:
        table.add_row(
            score.field,
            f"{score.precision:.3f}",
            f"{score.recall:.3f}",
            str(score.tp),
            str(score.fp),
            str(score.fn),
        )
    console.print(table)
    if show_errors:
        for error in report.errors:
            console.print(
                f"{escape(error.label_id)} [bold]{error.field}[/bold] "
                f"missing={escape(str(error.missing))} extra={escape(str(error.extra))}"
            )


def eval_extraction_command(
    labels: Annotated[
        Path,
        typer.Option("--labels", help="Labels file (JSONL, see eval/extraction/GUIDELINE.md)."),
    ] = DEFAULT_LABELS,
    shared_data: Annotated[
        Path | None,
        typer.Option(
            "--shared-data",
            help="Shared data folder; default $POLICYMATCH_SHARED_DATA or ../shared/data.",
        ),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option("--split", help="Score only 'dev' (tuned on) or 'test' (held out) items."),
    ] = None,
    show_errors: Annotated[
        bool,
        typer.Option(
            "--errors", help="Also list every item and field where card and labels differ."
        ),
    ] = False,
) -> None:
    """Field-level precision and recall of the translator on the labelled extraction set."""
    try:
        report = evaluate_extraction(labels, shared_data, split)
    except InputError as exc:
        err_console.print(f"[red]error[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    _print_report(report, show_errors)


def register(app: typer.Typer) -> None:
    """Add the ``cards`` group and ``eval-extraction`` to the ``policymatch`` app."""
    app.add_typer(cards, name="cards")
    app.command("eval-extraction")(eval_extraction_command)
