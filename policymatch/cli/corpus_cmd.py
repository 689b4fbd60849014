"""``policymatch ingest`` and ``policymatch policies list|show``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from policymatch.corpus.pipeline import IngestEvent, IngestReport, ingest
from policymatch.errors import InputError
from policymatch.settings import get_settings
from policymatch.store import PolicyStore

console = Console()
err_console = Console(stderr=True)


def open_store() -> PolicyStore:
    """The store the settings point at; creates the data folder for a SQLite file."""
    settings = get_settings()
    url = settings.resolved_database_url
    if url.startswith("sqlite:///"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return PolicyStore(url)


def ingest_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files (.jsonl, .jsonl.gz, .csv, .txt, .md, .html, .docx, .pdf) or folders."
        ),
    ],
    skip_errors: Annotated[
        bool,
        typer.Option("--skip-errors", help="Report bad records and go on instead of stopping."),
    ] = False,
) -> None:
    """Read, normalise, split and store policy documents."""
    store = open_store()
    counts = {"new": 0, "changed": 0, "unchanged": 0, "skipped": 0, "error": 0}
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("reading", total=None)

        def on_record(event: IngestEvent, name: str) -> None:
            counts[event] += 1
            done = sum(counts.values())
            progress.update(
                task,
                description=f"{done} records · {counts['new']} new · {counts['changed']} changed · {name[:60]}",
            )

        try:
            report = ingest(
                [str(p) for p in paths], store, skip_errors=skip_errors, on_record=on_record
            )
        except InputError as exc:
            progress.stop()
            err_console.print(f"[red]error[/red] {escape(str(exc))}", soft_wrap=True)
            err_console.print(
                f"stored before the error: {counts['new']} new, {counts['changed']} changed; "
                "fix the input or rerun with --skip-errors"
            )
            raise typer.Exit(1) from exc
    _print_report(report)
    if report.errors:
        raise typer.Exit(1)


def _print_report(report: IngestReport) -> None:
    table = Table(title="ingest", show_header=True)
    for column in ("read", "new", "changed", "unchanged", "items", "cards", "skipped", "errors"):
        table.add_column(column, justify="right")
    table.add_row(
        *(
            str(v)
            for v in (
                report.read,
                report.new,
                report.changed,
                report.unchanged,
                report.items,
                report.cards,
                len(report.skipped),
                len(report.errors),
            )
        )
    )
    console.print(table)
    for problem in report.skipped:
        console.print(
            f"[yellow]skipped[/yellow] {escape(problem.place)}: {escape(problem.message)}"
        )
    for problem in report.errors:
        console.print(f"[red]error[/red] {escape(problem.place)}: {escape(problem.message)}")


policies = typer.Typer(help="Browse stored policy documents and their items.", no_args_is_help=True)


@policies.command("list")
def list_command(
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", help="Part of the id, title, issuer or 发文字号."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Rows to show.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Rows to skip.")] = 0,
) -> None:
    """List stored documents, newest first."""
    store = open_store()
    rows = store.list_documents(search=search, offset=offset, limit=limit)
    table = Table(show_header=True)
    for column in ("id", "title", "issuer", "发文字号", "published", "items"):
        table.add_column(column, overflow="fold")
    for row in rows:
        cells = (row.id, row.title, row.issuer or "", row.doc_number or "")
        table.add_row(
            *(escape(cell) for cell in cells),
            row.publish_date.isoformat() if row.publish_date else "",
            str(row.item_count),
        )
    console.print(table)
    console.print(f"{len(rows)} shown of {store.count_documents()} documents")


@policies.command("show")
def show_command(
    doc_or_item_id: Annotated[
        str, typer.Argument(metavar="ID", help="Document id or item id (doc#seq).")
    ],
) -> None:
    """Show a document's metadata and its items (an item id shows that item and its document)."""
    store = open_store()
    item = store.get_item(doc_or_item_id) if "#" in doc_or_item_id else None
    doc = store.get_document(item.doc_id if item else doc_or_item_id)
    if doc is None:
        err_console.print(f"[red]error[/red] no document or item {escape(repr(doc_or_item_id))}")
        raise typer.Exit(1)
    meta = Table(show_header=False, box=None)
    for key in (
        "id",
        "title",
        "doc_number",
        "issuer",
        "region",
        "region_code",
        "publish_date",
        "written_date",
        "valid_from",
        "valid_until",
        "url",
        "source",
    ):
        value = getattr(doc, key)
        if value:
            meta.add_row(f"[bold]{key}[/bold]", escape(str(value)))
    console.print(meta)
    if doc.general_text:
        console.print("[bold]general sections[/bold]")
        console.print(doc.general_text, markup=False)
    items = [item] if item else store.items_for(doc.id)
    for shown in items:
        path = " > ".join(shown.heading_path)
        console.rule(escape(f"{shown.id}  {path}  {shown.title}".strip()))
        console.print(shown.text, markup=False)
        card = store.get_card(shown.id)
        if card is not None and card.summary:
            console.print(f"[green]card[/green] {escape(card.summary)}")


def register(app: typer.Typer) -> None:
    """Add ``ingest`` and the ``policies`` group to the ``policymatch`` app."""
    app.command("ingest")(ingest_command)
    app.add_typer(policies, name="policies")
