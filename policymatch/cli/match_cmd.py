"""``policymatch index`` (build or update the index from the store) and ``policymatch match``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from policymatch.corpus.models import PolicyDocument, PolicyItem
from policymatch.errors import IndexMismatchError, InputError
from policymatch.settings import get_settings
from policymatch.translate.models import PolicyCard

logger = logging.getLogger(__name__)
console = Console()
err_console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add ``index`` and ``match`` to ``app``."""
    app.command("index")(index_command)
    app.command("match")(match_command)


def index_command(
    full: Annotated[
        bool, typer.Option("--full", help="Rebuild from scratch instead of updating what changed.")
    ] = False,
) -> None:
    """Build the search index from the stored policies (or update it) and swap it in."""
    from policymatch.embed import get_embedder
    from policymatch.match.index import PolicyIndex
    from policymatch.store import PolicyStore

    settings = get_settings()
    store = PolicyStore(settings.resolved_database_url)
    started = time.perf_counter()
    documents, items, cards = _read_corpus(store)
    if not items:
        err_console.print(
            "[red]error:[/red] the store holds no policy items; run `policymatch ingest` first"
        )
        raise typer.Exit(2)
    embedder = get_embedder(settings)
    target = settings.resolved_index_dir
    index = None if full else _load_existing(target, embedder)
    if index is None:
        index = PolicyIndex.build(documents.values(), items, cards, embedder)
        how = "built"
    else:
        added, removed = _update(index, documents, items, cards, embedder)
        if not (added or removed):
            console.print(f"index up to date: {len(index)} items at {target}")
            return
        how = f"updated ({added} documents added or changed, {removed} removed)"
    final = index.save(target)
    elapsed = time.perf_counter() - started
    console.print(
        f"index {how}: {len(index)} items of {index.manifest.document_count} documents,"
        f" {index.manifest.model_id}, {elapsed:.1f} s -> {target} ({final.name})"
    )


def _read_corpus(store) -> tuple[dict[str, PolicyDocument], list[PolicyItem], list[PolicyCard]]:
    from policymatch.translate import translate_items

    items = list(store.iter_items())
    documents: dict[str, PolicyDocument] = {}
    for doc_id in dict.fromkeys(i.doc_id for i in items):
        document = store.get_document(doc_id)
        if document is not None:
            documents[doc_id] = document
    items = [i for i in items if i.doc_id in documents]
    cards: list[PolicyCard] = []
    missing: dict[str, list[PolicyItem]] = {}
    for item in items:
        card = store.get_card(item.id)
        if card is None:
            missing.setdefault(item.doc_id, []).append(item)
        else:
            cards.append(card)
    if missing:
        fresh = [c for d, its in missing.items() for c in translate_items(its, documents[d])]
        store.save_cards(fresh)
        cards.extend(fresh)
        logger.info("translated %d items that had no card", len(fresh))
    return documents, items, cards


def _load_existing(target: Path, embedder):
    from policymatch.match.index import PolicyIndex

    try:
        return PolicyIndex.load(target, embedder)
    except IndexMismatchError as exc:
        logger.info("building afresh: %s", exc)
        return None


def _signature(
    document: PolicyDocument, items: list[PolicyItem], cards: dict[str, PolicyCard]
) -> str:
    digest = hashlib.sha1(document.content_hash.encode() or document.title.encode())
    for item in items:
        digest.update(item.model_dump_json(exclude={"tokens"}).encode())
        digest.update(cards[item.id].model_dump_json().encode())
    return digest.hexdigest()


def _update(index, documents, items, cards, embedder) -> tuple[int, int]:
    """Bring ``index`` in line with the store: drop gone documents, re-add changed and new ones."""
    card_map = {c.item_id: c for c in cards}
    by_doc: dict[str, list[PolicyItem]] = {}
    for item in items:
        by_doc.setdefault(item.doc_id, []).append(item)
    indexed: dict[str, list[PolicyItem]] = {}
    for item in index.items:
        indexed.setdefault(item.doc_id, []).append(item)
    gone = [d for d in indexed if d not in by_doc]
    changed = [
        d
        for d, its in by_doc.items()
        if d not in indexed
        or _signature(documents[d], its, card_map)
        != _signature(index.documents[d], indexed[d], index.cards)
    ]
    if gone:
        index.remove_documents(gone)
    if changed:
        new_items = [i for d in changed for i in by_doc[d]]
        index.add_documents(
            [documents[d] for d in changed],
            new_items,
            [card_map[i.id] for i in new_items],
            embedder,
        )
    return len(changed), len(gone)


def match_command(
    profile: Annotated[
        Path, typer.Option("--profile", help="Enterprise profile(s): .json, .jsonl, .csv or .xlsx.")
    ],
    k: Annotated[int, typer.Option("-k", "--k", min=1, help="Matches per enterprise.")] = 10,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD) that counts as today.")
    ] = None,
    all_verdicts: Annotated[
        bool, typer.Option("--all-verdicts", help="Also list 不符合 items (ranked last).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
    index_dir: Annotated[
        Path | None,
        typer.Option("--index", help="Index folder (default: the settings' index_dir)."),
    ] = None,
) -> None:
    """Rank policy items for the enterprise(s) in a profile file, with reasons."""
    from policymatch.match.matcher import Matcher
    from policymatch.profile import read_profiles

    settings = get_settings()
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] --as-of {as_of!r} is not a date like 2025-06-30")
        raise typer.Exit(2) from exc
    try:
        profiles = list(read_profiles(profile, as_of=day))
    except InputError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    try:
        matcher = Matcher.load(index_dir or settings.resolved_index_dir, settings=settings)
    except IndexMismatchError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    verdicts = ("推荐", "可能符合", "不符合") if all_verdicts else None
    results = matcher.match_many(profiles, k=k, as_of=day, verdicts=verdicts)
    if as_json:
        typer.echo(
            json.dumps([r.model_dump(mode="json") for r in results], ensure_ascii=False, indent=2)
        )
        return
    for enterprise, result in zip(profiles, results, strict=True):
        table = Table(
            title=f"{enterprise.name or enterprise.id}（{enterprise.region or '地区未知'}）"
        )
        table.add_column("#", justify="right")
        table.add_column("结论")
        table.add_column("得分", justify="right")
        table.add_column("政策条款")
        table.add_column("理由")
        for rank, match in enumerate(result.matches, start=1):
            table.add_row(
                str(rank),
                match.verdict,
                f"{match.score:.3f}",
                f"{match.title}\n[dim]{match.summary}[/dim]",
                "\n".join(match.explanations[:3]),
            )
        console.print(table)
        if not result.matches:
            console.print("no matching policy item")
