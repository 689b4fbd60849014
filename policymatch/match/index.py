"""The policy index on disk: items, cards, dense vectors (FAISS) and BM25, behind one manifest.

Layout of an index directory::

    manifest.json     format version, model id, dim, corpus hash, counts, build time
    documents.jsonl   document metadata (title, region, dates; the full text stays in the store)
    items.jsonl       the indexed items, in row order
    tokens.jsonl      the BM25 tokens of each item (document title + item), in row order
    cards.jsonl       one PolicyCard per item
    rows.npy          int64 FAISS id of each item, in row order
    dense.faiss       FAISS index of the passage vectors
    bm25/             bm25s sparse matrix, vocabulary and parameters

:meth:`PolicyIndex.save` writes a new directory ``<name>.tmp-XXXX`` beside the target, renames it
to a versioned ``<name>.v<time>-XXXX`` and points the symlink ``<name>`` at it with one
``rename``: a reader resolves the link once and sees either the old or the new index, never a
half-written one. The previous version is kept so a reader still loading it is not cut off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from policymatch.corpus.models import PolicyDocument, PolicyItem
from policymatch.embed.base import Embedder
from policymatch.errors import IndexMismatchError, InputError
from policymatch.match.dense import IVF_THRESHOLD, DenseIndex
from policymatch.match.keyword import BM25Index, TfidfIndex
from policymatch.translate.models import PolicyCard

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
PASSAGE_RECIPE = "title+headings+text+context"
MANIFEST = "manifest.json"
DOCUMENTS = "documents.jsonl"
ITEMS = "items.jsonl"
TOKENS = "tokens.jsonl"
CARDS = "cards.jsonl"
ROWS = "rows.npy"
DENSE = "dense.faiss"
BM25_DIR = "bm25"
REQUIRED_FILES = (MANIFEST, DOCUMENTS, ITEMS, TOKENS, CARDS, ROWS, DENSE, BM25_DIR)
_KEEP_VERSIONS = 2  # the live one and the one before, which a slow reader may still be loading
_LOAD_ATTEMPTS = 5

Tokenizer = Callable[[str], list[str]]


class Manifest(BaseModel):
    """What an index was built from; checked on every load."""

    format_version: int = FORMAT_VERSION
    model_id: str
    dim: int
    corpus_hash: str
    item_count: int
    document_count: int
    built_at: str
    dense_kind: str
    next_row_id: int
    passage_recipe: str = PASSAGE_RECIPE
    # None in indexes written before the field existed
    tokenizer: str | None = None


def default_tokenizer() -> Tokenizer:
    """The corpus stage's jieba tokenizer (domain dictionary, stopwords removed)."""
    from policymatch.corpus.tokenize import tokenize

    return tokenize


def _default_tokenizer_id() -> str:
    from policymatch.corpus.tokenize import tokenizer_fingerprint

    return tokenizer_fingerprint()


def passage_text(item: PolicyItem, document: PolicyDocument | None) -> str:
    """The text embedded for an item: document title, heading path, item title, text, context.

    The title and headings come first so that an embedder that reads only the head of a long
    passage still sees what the item is about.
    """
    parts = [
        document.title if document else "",
        " ".join(item.heading_path),
        item.title if item.title not in item.heading_path else "",
        item.text,
        item.context,
    ]
    return "\n".join(p for p in parts if p)


def index_tokens(
    item: PolicyItem, document: PolicyDocument | None, tokenize: Tokenizer
) -> list[str]:
    """BM25 tokens of an item: its stored jieba tokens (or fresh ones) plus the document title's."""
    tokens = list(item.tokens) if item.tokens else tokenize(item.full_text())
    if document and document.title:
        tokens = tokenize(document.title) + tokens
    return tokens


class PolicyIndex:
    """Items with their cards, documents, passage vectors and keyword indexes, in row order.

    Build with :meth:`build` (in memory) and :meth:`save`, or :meth:`load` a saved one.
    Row ``i`` of every array and list is item ``i``.
    """

    def __init__(
        self,
        manifest: Manifest,
        documents: dict[str, PolicyDocument],
        items: list[PolicyItem],
        tokens: list[list[str]],
        cards: dict[str, PolicyCard],
        rows: np.ndarray,
        dense: DenseIndex,
        bm25: BM25Index,
    ) -> None:
        self.manifest = manifest
        self.documents = documents
        self.items = items
        self.tokens = tokens
        self.cards = cards
        self.rows = rows
        self.dense = dense
        self.bm25 = bm25
        self._tfidf: TfidfIndex | None = None
        self.version = 0  # bumped by every change, so holders of derived data can tell
        self._reindex_positions()

    # ----------------------------------------------------------------- build
    @classmethod
    def build(
        cls,
        documents: Iterable[PolicyDocument],
        items: Sequence[PolicyItem],
        cards: Iterable[PolicyCard],
        embedder: Embedder,
        tokenize: Tokenizer | None = None,
        ivf_threshold: int = IVF_THRESHOLD,
    ) -> PolicyIndex:
        """Embed and index ``items`` in memory.

        Args:
            documents: The documents the items come from (metadata and titles are kept).
            items: Items to index, each ``doc_id`` among ``documents``.
            cards: One card per item (extra cards are ignored).
            embedder: Encodes the passages; its ``model_id`` and ``dim`` go in the manifest.
            tokenize: jieba tokenizer for items without tokens and for titles; defaults to
                :func:`policymatch.corpus.tokenize.tokenize`.
            ivf_threshold: From this many items on the dense index is IVF instead of exact.

        Raises:
            InputError: an item without its document or card, or an item id given twice.
        """
        started = time.perf_counter()
        tokenizer_id = None if tokenize else _default_tokenizer_id()
        tokenize = tokenize or default_tokenizer()
        docs = {d.id: _strip_text(d) for d in documents}
        items = list(items)
        card_map = {c.item_id: c for c in cards}
        _check_inputs(items, docs, card_map)
        texts = [passage_text(i, docs[i.doc_id]) for i in items]
        vectors = _encode(embedder, texts)
        tokens = [index_tokens(i, docs[i.doc_id], tokenize) for i in items]
        rows = np.arange(len(items), dtype=np.int64)
        if len(items):
            dense = DenseIndex.build(vectors, rows, ivf_threshold=ivf_threshold)
        else:
            dense = DenseIndex.build(np.empty((0, embedder.dim), np.float32), rows)
        used_docs = {i.doc_id for i in items}
        manifest = Manifest(
            model_id=embedder.model_id,
            dim=embedder.dim,
            corpus_hash="",
            item_count=len(items),
            document_count=len(used_docs),
            built_at=_now(),
            dense_kind=dense.kind,
            next_row_id=len(items),
            tokenizer=tokenizer_id,
        )
        index = cls(
            manifest,
            {k: v for k, v in docs.items() if k in used_docs},
            [_without_tokens(i) for i in items],
            tokens,
            {i.id: card_map[i.id] for i in items},
            rows,
            dense,
            BM25Index(tokens),
        )
        index.manifest.corpus_hash = index.corpus_hash()
        logger.info("indexed %d items in %.1f s", len(items), time.perf_counter() - started)
        return index

    # ----------------------------------------------------------------- update
    def add_documents(
        self,
        documents: Iterable[PolicyDocument],
        items: Sequence[PolicyItem],
        cards: Iterable[PolicyCard],
        embedder: Embedder,
        tokenize: Tokenizer | None = None,
    ) -> None:
        """Add documents and their items; a document already indexed is replaced.

        Only the new items are embedded (FAISS ``add_with_ids``); BM25 is rebuilt from the
        cached tokens, which is cheap.

        Raises:
            IndexMismatchError: ``embedder`` is not the one the index was built with.
            InputError: as in :meth:`build`.
        """
        self.check_embedder(embedder)
        tokenize = tokenize or default_tokenizer()
        docs = {d.id: _strip_text(d) for d in documents}
        items = list(items)
        card_map = {c.item_id: c for c in cards}
        _check_inputs(items, docs, card_map)
        replaced = set(docs) & set(self.documents)
        if replaced:
            self._drop(replaced, rebuild=False)
        vectors = _encode(embedder, [passage_text(i, docs[i.doc_id]) for i in items])
        first = self.manifest.next_row_id
        new_rows = np.arange(first, first + len(items), dtype=np.int64)
        self.dense.add(vectors, new_rows)
        self.rows = np.concatenate([self.rows, new_rows])
        self.items.extend(_without_tokens(i) for i in items)
        self.tokens.extend(index_tokens(i, docs[i.doc_id], tokenize) for i in items)
        self.cards.update({i.id: card_map[i.id] for i in items})
        with_items = {i.doc_id for i in items}
        self.documents.update({k: v for k, v in docs.items() if k in with_items})
        self.manifest.next_row_id = first + len(items)
        self._refresh()
        logger.info("added %d items of %d documents", len(items), len(docs))

    def remove_documents(self, doc_ids: Iterable[str]) -> int:
        """Remove documents and their items; returns the number of items removed."""
        return self._drop(set(doc_ids), rebuild=True)

    def _drop(self, doc_ids: set[str], rebuild: bool) -> int:
        keep = [p for p, item in enumerate(self.items) if item.doc_id not in doc_ids]
        gone = [p for p, item in enumerate(self.items) if item.doc_id in doc_ids]
        if gone:
            self.dense.remove(self.rows[gone])
            for position in gone:
                self.cards.pop(self.items[position].id, None)
            self.items = [self.items[p] for p in keep]
            self.tokens = [self.tokens[p] for p in keep]
            self.rows = self.rows[keep]
        for doc_id in doc_ids:
            self.documents.pop(doc_id, None)
        if rebuild:
            self._refresh()
        return len(gone)

    def _refresh(self) -> None:
        self.version += 1
        self.bm25 = BM25Index(self.tokens)
        self._tfidf = None
        self._reindex_positions()
        self.manifest.item_count = len(self.items)
        self.manifest.document_count = len({i.doc_id for i in self.items})
        self.manifest.dense_kind = self.dense.kind
        self.manifest.built_at = _now()
        self.manifest.corpus_hash = self.corpus_hash()

    # ----------------------------------------------------------------- save / load
    def save(self, out_dir: str | Path) -> Path:
        """Write the index and swap it in atomically at ``out_dir`` (a symlink).

        Returns:
            The versioned directory now behind ``out_dir``.
        """
        target = Path(out_dir).expanduser().absolute()
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.tmp-", dir=target.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; readers may run as another user
        try:
            self._write(staging)
            final = (
                target.parent
                / f"{target.name}.v{time.strftime('%Y%m%d%H%M%S')}-{staging.name[-8:]}"
            )
            os.rename(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _swap_symlink(target, final)
        _prune_versions(target, final)
        logger.info("index with %d items saved to %s -> %s", len(self), target, final.name)
        return final

    def _write(self, folder: Path) -> None:
        _write_jsonl(
            folder / DOCUMENTS, (d.model_dump(mode="json") for d in self.documents.values())
        )
        _write_jsonl(folder / ITEMS, (i.model_dump(mode="json") for i in self.items))
        _write_jsonl(folder / TOKENS, self.tokens)
        _write_jsonl(folder / CARDS, (self.cards[i.id].model_dump(mode="json") for i in self.items))
        np.save(folder / ROWS, self.rows)
        self.dense.save(folder / DENSE)
        self.bm25.save(folder / BM25_DIR)
        # the manifest last: a directory without one is never taken for an index
        (folder / MANIFEST).write_text(self.manifest.model_dump_json(indent=2), encoding="utf-8")

    @classmethod
    def load(cls, index_dir: str | Path, embedder: Embedder | None = None) -> PolicyIndex:
        """Read a saved index, checking it against ``embedder`` when one is given.

        Raises:
            IndexMismatchError: no index there, a missing file, another format version, or an
                index built with another model or vector width than ``embedder``.
        """
        # The link is resolved once per attempt. Two rebuilds within one slow load may prune the
        # version being read (files vanish whole, never half-written): then read the new one.
        for attempt in range(1, _LOAD_ATTEMPTS + 1):
            folder = _resolve(index_dir)
            try:
                return cls._load_version(folder, index_dir, embedder)
            except (OSError, RuntimeError, IndexMismatchError):
                if attempt == _LOAD_ATTEMPTS or _resolve(index_dir) == folder:
                    raise
                logger.info("index %s was replaced while loading; reading the new one", folder)
        raise AssertionError("unreachable")  # the loop returns or raises

    @classmethod
    def _load_version(
        cls, folder: Path, index_dir: str | Path, embedder: Embedder | None
    ) -> PolicyIndex:
        if not (folder / MANIFEST).is_file():
            raise IndexMismatchError(
                f"no index at {index_dir}: {MANIFEST} is missing; run `policymatch index`"
            )
        try:
            manifest = Manifest.model_validate_json((folder / MANIFEST).read_text(encoding="utf-8"))
        except ValueError as exc:
            raise IndexMismatchError(f"{folder / MANIFEST} is not a valid manifest: {exc}") from exc
        if manifest.format_version != FORMAT_VERSION:
            raise IndexMismatchError(
                f"index at {folder} has format version {manifest.format_version}, this version"
                f" of policymatch reads {FORMAT_VERSION}; rebuild it with `policymatch index`"
            )
        missing = [name for name in REQUIRED_FILES if not (folder / name).exists()]
        if missing:
            raise IndexMismatchError(
                f"index at {folder} is incomplete: missing {', '.join(missing)}"
            )
        _check_model(manifest, embedder, folder)
        documents = {
            d["id"]: PolicyDocument.model_validate(d) for d in _read_jsonl(folder / DOCUMENTS)
        }
        items = [PolicyItem.model_validate(i) for i in _read_jsonl(folder / ITEMS)]
        tokens = [list(t) for t in _read_jsonl(folder / TOKENS)]
        cards = {c["item_id"]: PolicyCard.model_validate(c) for c in _read_jsonl(folder / CARDS)}
        rows = np.load(folder / ROWS)
        dense = DenseIndex.load(folder / DENSE)
        counts = {
            "items": len(items),
            "tokens": len(tokens),
            "cards": len(cards),
            "rows": len(rows),
            "vectors": len(dense),
        }
        if set(counts.values()) != {manifest.item_count} and manifest.item_count:
            raise IndexMismatchError(
                f"index at {folder} is inconsistent: manifest says {manifest.item_count} items,"
                f" files hold {counts}"
            )
        if dense.dim != manifest.dim:
            raise IndexMismatchError(
                f"{folder / DENSE} holds {dense.dim}-d vectors, the manifest says {manifest.dim}"
            )
        if dense.kind == "flat" and not np.array_equal(dense.ids(), rows):
            raise IndexMismatchError(f"{folder / DENSE} rows do not follow {ROWS}")
        try:
            bm25 = BM25Index.load(folder / BM25_DIR, len(items))
        except (OSError, ValueError) as exc:
            raise IndexMismatchError(
                f"BM25 files in {folder / BM25_DIR} are unreadable: {exc}"
            ) from exc
        _check_tokenizer(manifest, folder)
        logger.info("loaded index %s: %d items", folder, len(items))
        return cls(manifest, documents, items, tokens, cards, rows, dense, bm25)

    def check_embedder(self, embedder: Embedder) -> None:
        """Raise :class:`IndexMismatchError` unless ``embedder`` made this index's vectors."""
        _check_model(self.manifest, embedder, None)

    # ----------------------------------------------------------------- read
    def __len__(self) -> int:
        return len(self.items)

    def position(self, item_id: str) -> int:
        """Row of ``item_id``; raises KeyError when it is not indexed."""
        return self._positions[item_id]

    @property
    def tfidf(self) -> TfidfIndex:
        """TF-IDF over the same tokens, built on first use."""
        if self._tfidf is None:
            self._tfidf = TfidfIndex(self.tokens)
        return self._tfidf

    def dense_scores(self, queries: np.ndarray, candidates: int = 1000) -> np.ndarray:
        """Cosine similarity of every item to each query.

        Exact indexes score all items; an IVF index scores its top ``candidates`` per query and
        gives every other item the lowest score found.

        Returns:
            ``(n_queries, n_items)`` float32.
        """
        matrix = self.dense.matrix()
        if matrix is not None:
            return np.asarray(queries, dtype=np.float32) @ matrix.T
        scores, ids = self.dense.search(queries, candidates)
        out = np.empty((len(queries), len(self)), dtype=np.float32)
        for row, (found_scores, found_ids) in enumerate(zip(scores, ids, strict=True)):
            valid = found_ids >= 0
            out[row] = found_scores[valid].min() if valid.any() else 0.0
            out[row, self._row_positions(found_ids[valid])] = found_scores[valid]
        return out

    def vectors(self, positions: Sequence[int]) -> np.ndarray:
        """Passage vectors of the items at ``positions``, ``(len(positions), dim)``."""
        matrix = self.dense.matrix()
        if matrix is not None:
            return np.array(matrix[list(positions)], dtype=np.float32)
        return self.dense.reconstruct(self.rows[list(positions)])

    def corpus_hash(self) -> str:
        """sha1 over each item's id, passage text, tokens and card: equal hashes, equal index."""
        digest = hashlib.sha1()
        for position in sorted(range(len(self.items)), key=lambda p: self.items[p].id):
            item = self.items[position]
            digest.update(item.id.encode())
            digest.update(passage_text(item, self.documents.get(item.doc_id)).encode())
            digest.update("\x1f".join(self.tokens[position]).encode())
            digest.update(self.cards[item.id].model_dump_json().encode())
        return digest.hexdigest()

    def _reindex_positions(self) -> None:
        self._positions = {item.id: p for p, item in enumerate(self.items)}
        self._position_of_row = {int(r): p for p, r in enumerate(self.rows)}

    def _row_positions(self, rows: np.ndarray) -> np.ndarray:
        return np.fromiter((self._position_of_row[int(r)] for r in rows), dtype=np.int64)


def _check_inputs(
    items: list[PolicyItem], docs: dict[str, PolicyDocument], cards: dict[str, PolicyCard]
) -> None:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise InputError(f"item {item.id} is given twice", source="index", field="id")
        seen.add(item.id)
        if item.doc_id not in docs:
            raise InputError(
                f"item {item.id} belongs to document {item.doc_id}, which was not given",
                source="index",
                field="doc_id",
            )
        if item.id not in cards:
            raise InputError(
                f"item {item.id} has no card; translate it first", source="index", field="cards"
            )


def _check_tokenizer(manifest: Manifest, folder: Path) -> None:
    """Warn when the domain dictionary changed since the build: BM25 still works, but queries
    and passages no longer segment alike until the corpus is ingested and indexed again."""
    current = _default_tokenizer_id()
    if manifest.tokenizer is not None and manifest.tokenizer != current:
        logger.warning(
            "index at %s was segmented with tokenizer %s, this process uses %s (domain dictionary"
            " or stopwords changed): run `policymatch ingest` and `policymatch index` again",
            folder,
            manifest.tokenizer,
            current,
        )


def _check_model(manifest: Manifest, embedder: Embedder | None, folder: Path | None) -> None:
    if embedder is None:
        return
    where = f" at {folder}" if folder else ""
    if embedder.model_id != manifest.model_id or embedder.dim != manifest.dim:
        raise IndexMismatchError(
            f"index{where} was built with {manifest.model_id} ({manifest.dim}-d) but the"
            f" embedder is {embedder.model_id} ({embedder.dim}-d); rebuild it with"
            " `policymatch index` or configure the same embedder"
        )


def _encode(embedder: Embedder, texts: list[str]) -> np.ndarray:
    if not texts:
        return np.empty((0, embedder.dim), dtype=np.float32)
    vectors = embedder.encode_passages(texts)
    if vectors.shape != (len(texts), embedder.dim):
        raise IndexMismatchError(
            f"embedder {embedder.model_id} returned {vectors.shape}, expected"
            f" ({len(texts)}, {embedder.dim})"
        )
    return vectors


def _strip_text(document: PolicyDocument) -> PolicyDocument:
    return document.model_copy(update={"text": "", "general_text": ""})


def _without_tokens(item: PolicyItem) -> PolicyItem:
    return item.model_copy(update={"tokens": []}) if item.tokens else item


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _write_jsonl(path: Path, rows: Iterable[object]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False))
            out.write("\n")


def _read_jsonl(path: Path) -> list:
    rows = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise IndexMismatchError(f"{path}:{number} is not valid JSON: {exc}") from exc
    return rows


def _resolve(index_dir: str | Path) -> Path:
    return Path(os.path.realpath(Path(index_dir).expanduser()))


def _swap_symlink(target: Path, final: Path) -> None:
    """Point ``target`` at ``final`` with one rename (atomic on POSIX)."""
    if target.exists() and not target.is_symlink():
        # an index directory from before symlinks: move it aside once (not atomic, once only)
        os.rename(target, target.parent / f"{target.name}.v00000000000000-legacy")
    link = target.parent / f"{target.name}.link-{final.name[-8:]}"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(final.name, link)  # relative, so the folder can be moved as a whole
    os.replace(link, target)


def _prune_versions(target: Path, current: Path) -> None:
    versions = sorted(
        (p for p in target.parent.glob(f"{target.name}.v*") if p.is_dir() and p != current),
        key=lambda p: p.stat().st_mtime,
    )
    for old in versions[: max(0, len(versions) - (_KEEP_VERSIONS - 1))]:
        shutil.rmtree(old, ignore_errors=True)
    cutoff = time.time() - 3600
    for stale in target.parent.glob(f"{target.name}.tmp-*"):  # left by a crashed build
        if stale.stat().st_mtime < cutoff:
            shutil.rmtree(stale, ignore_errors=True)
